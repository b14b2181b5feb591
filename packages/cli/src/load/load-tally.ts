import { build, type Histogram } from 'hdr-histogram-js';
import type { LoadOutcome } from './load-workload.ts';

/** Percentiles of one latency, in milliseconds (0 when nothing was recorded). */
export interface LatencyPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What the units of a run came to so far; `measured` only counts units started in the window. */
export interface LoadTally {
  /** Units started in the measured window. */
  readonly started: number;
  readonly accepted: number;
  /** Units that ended with the workload's success outcome. */
  readonly succeeded: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly settledMs: LatencyPercentiles;
  readonly visibleMs: LatencyPercentiles;
}

/** Counts units and their latencies (HdrHistogram, microsecond resolution, 3 digits). */
export interface LoadCounter {
  start(): void;
  accept(): void;
  finish(outcome: LoadOutcome): void;
  tally(): LoadTally;
}

export function createLoadCounter(success: string): LoadCounter {
  let started = 0;
  let accepted = 0;
  let succeeded = 0;
  const outcomes = new Map<string, number>();
  const settled = histogram();
  const visible = histogram();
  return {
    start() {
      started += 1;
    },
    accept() {
      accepted += 1;
    },
    finish(outcome) {
      outcomes.set(outcome.outcome, (outcomes.get(outcome.outcome) ?? 0) + 1);
      if (outcome.outcome === success) succeeded += 1;
      if (outcome.settledMs !== undefined) record(settled, outcome.settledMs);
      if (outcome.visibleMs !== undefined) record(visible, outcome.visibleMs);
    },
    tally() {
      return {
        started,
        accepted,
        succeeded,
        // Most frequent first, so the summary reads top down.
        outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])),
        settledMs: percentiles(settled),
        visibleMs: percentiles(visible),
      };
    },
  };
}

function histogram(): Histogram {
  // Up to an hour in microseconds: no unit of a bounded run waits longer.
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

function record(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round(ms * 1000))));
}

function percentiles(histogram: Histogram): LatencyPercentiles {
  const ms = (us: number) => Math.round(us) / 1000;
  if (histogram.totalCount === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  return {
    count: histogram.totalCount,
    p50: ms(histogram.getValueAtPercentile(50)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}
