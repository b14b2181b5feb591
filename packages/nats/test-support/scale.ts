/**
 * Fault and scale scenarios run small in CI and full on demand:
 * `DUET_FULL=1 npm test -- packages/nats` runs them at the sizes the docs report.
 */
export const FULL = process.env.DUET_FULL === '1';

/** The CI size, or the full one with DUET_FULL=1. */
export function scaled(ci: number, full: number): number {
  return FULL ? full : ci;
}
