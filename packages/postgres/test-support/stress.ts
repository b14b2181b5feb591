// Shared by the stress tests: seeded choices, pauses that space faults out in time, and a
// wait on a condition with a deadline that only guards against a hung run.

/** A small seeded generator, so the choices (not the timing) of a failing run repeat. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Lets time pass on purpose: a kill after a random delay, a transaction held open. Never
 * to wait for something to happen: that is `waitUntil`.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once `probe` answers true, checking every `pollMs` [50]; throws naming `what`
 * after `timeoutMs` [60000], a guard against a hung run, not a limit under test.
 */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; what?: () => string; pollMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what?.() ?? 'the condition'}`);
    }
    await sleep(options.pollMs ?? 50);
  }
}

/**
 * Fault and scale scenarios run small in CI and full on demand: `DUET_FULL=1 npm test`
 * (or `npm run reliability -- --full`) runs them at the sizes the docs report.
 */
export const FULL = process.env.DUET_FULL === '1';

/** The CI size, or the full one with DUET_FULL=1. */
export function scaled(ci: number, full: number): number {
  return FULL ? full : ci;
}
