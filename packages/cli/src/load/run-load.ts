import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLoadCounter, type LoadTally } from './load-tally.ts';
import type { LoadSession } from './load-workload.ts';

/** How to drive a run: an open loop at a rate, or a closed loop of clients. */
export type LoadShape =
  | { readonly mode: 'open'; readonly rate: number }
  | { readonly mode: 'closed'; readonly clients: number };

export interface LoadPlan {
  readonly shape: LoadShape;
  /** Measured seconds; units started in them are counted. */
  readonly durationS: number;
  /** Unmeasured seconds of the same load first (pools fill, JIT warms up). */
  readonly warmupS: number;
  /** How long units started in time may take to settle after the last start. */
  readonly drainS: number;
}

/** A live view of the run, for the progress line. */
export interface LoadProgress {
  readonly phase: 'warm-up' | 'measuring' | 'draining';
  readonly elapsedS: number;
  readonly inFlight: number;
  readonly tally: LoadTally;
}

export interface LoadRunResult {
  readonly tally: LoadTally;
  /** From the first measured start to the last measured unit's end. */
  readonly measuredS: number;
  /** Units still unsettled when the drain time ran out (counted as `not settled`). */
  readonly abandoned: number;
  /** True when `signal` (Ctrl-C) cut the run short. */
  readonly interrupted: boolean;
}

/**
 * Runs `session`'s units to `plan`: in an open loop each unit starts at its planned time
 * whether or not earlier ones finished (no coordinated omission); in a closed loop each
 * client starts its next unit when the last one settled. Units started during the warm-up
 * are not counted. After the last start, in-flight units get `drainS` to settle; the
 * rest are aborted and counted as `not settled`.
 *
 * @example
 * const result = await runLoad(session, { shape: { mode: 'open', rate: 50 }, durationS: 10, warmupS: 1, drainS: 30 }, { success: 'confirmed', signal, onProgress });
 */
export async function runLoad(
  session: LoadSession,
  plan: LoadPlan,
  options: {
    readonly success: string;
    readonly signal: AbortSignal;
    readonly onProgress: (progress: LoadProgress) => void;
    readonly progressMs?: number;
  },
): Promise<LoadRunResult> {
  const counter = createLoadCounter(options.success);
  const drain = new AbortController();
  // Every unit in flight listens on it: thousands at a high rate, none of them a leak.
  setMaxListeners(0, drain.signal);
  const stop = () => drain.abort();
  options.signal.addEventListener('abort', stop, { once: true });
  const started = performance.now();
  const measureFrom = started + plan.warmupS * 1000;
  const measureUntil = measureFrom + plan.durationS * 1000;
  let inFlight = 0;
  let lastEnd = measureFrom;
  let phase: LoadProgress['phase'] = plan.warmupS > 0 ? 'warm-up' : 'measuring';
  const running = new Set<Promise<void>>();

  // A unit belongs to the window of its slot (when it was due), not of when it started:
  // on a busy machine an open loop starts late slots in a burst, and those of the
  // warm-up must not be counted.
  const startUnit = (index: number, dueMs = performance.now()): Promise<void> => {
    const measured = dueMs >= measureFrom;
    if (measured) counter.start();
    inFlight += 1;
    const accepted = () => {
      if (measured) counter.accept();
    };
    const unit = session
      .run(index, accepted, drain.signal)
      .catch((error: unknown) => ({
        // A workload reports its own failures as outcomes; this is the safety net.
        outcome: `failed: ${(error instanceof Error ? error.message : String(error)).slice(0, 80)}`,
        accepted: false,
      }))
      .then((outcome) => {
        inFlight -= 1;
        if (!measured) return;
        counter.finish(drain.signal.aborted ? { outcome: 'not settled', accepted: true } : outcome);
        lastEnd = Math.max(lastEnd, performance.now());
      });
    running.add(unit);
    void unit.finally(() => running.delete(unit));
    return unit;
  };

  const report = () => {
    const now = performance.now();
    if (phase !== 'draining') phase = now >= measureFrom ? 'measuring' : 'warm-up';
    options.onProgress({
      phase,
      elapsedS: (now - started) / 1000,
      inFlight,
      tally: counter.tally(),
    });
  };
  const timer = setInterval(report, options.progressMs ?? 250);
  try {
    if (plan.shape.mode === 'open') {
      await openLoop(plan.shape.rate, started, measureUntil, startUnit, options.signal);
    } else {
      await closedLoop(plan.shape.clients, measureUntil, startUnit, options.signal);
    }
    phase = 'draining';
    const drained = Promise.allSettled([...running]);
    const deadline = sleep(plan.drainS * 1000, undefined, { signal: drain.signal }).catch(() => {});
    await Promise.race([drained, deadline]);
    const abandoned = inFlight;
    drain.abort();
    await Promise.allSettled([...running]);
    report();
    return {
      tally: counter.tally(),
      measuredS: Math.max(plan.durationS, (lastEnd - measureFrom) / 1000),
      abandoned,
      interrupted: options.signal.aborted,
    };
  } finally {
    clearInterval(timer);
    options.signal.removeEventListener('abort', stop);
  }
}

/** Starts unit i at `startedMs + i / rate`, several per timer tick when due. */
async function openLoop(
  rate: number,
  startedMs: number,
  untilMs: number,
  startUnit: (index: number, dueMs: number) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const interval = 1000 / rate;
  for (let next = 0; !signal.aborted; ) {
    const due = startedMs + next * interval;
    if (due >= untilMs) return;
    const wait = due - performance.now();
    if (wait > 0) await sleep(Math.max(1, wait));
    const now = performance.now();
    while (startedMs + next * interval <= now && startedMs + next * interval < untilMs) {
      void startUnit(next, startedMs + next * interval);
      next += 1;
    }
  }
}

/** `clients` loops, each starting its next unit once the last one settled. */
async function closedLoop(
  clients: number,
  untilMs: number,
  startUnit: (index: number) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let next = 0;
  const client = async () => {
    while (!signal.aborted && performance.now() < untilMs) {
      const index = next;
      next += 1;
      await startUnit(index);
    }
  };
  // Clients stop starting units at `untilMs`; the ones still in flight then are the drain's.
  const wait = Math.max(0, untilMs - performance.now());
  await Promise.race([
    Promise.all(Array.from({ length: clients }, client)),
    sleep(wait, undefined, { signal }).catch(() => {}),
  ]);
}
