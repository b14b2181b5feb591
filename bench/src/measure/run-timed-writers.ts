import { createLatencyRecorder, type LatencySummary } from './latency-recorder.ts';

export interface TimedWritersOptions {
  readonly writers: number;
  /** Unmeasured time before the window (pools fill, JIT warms, group commit settles). */
  readonly warmupMs: number;
  /** The measured window. */
  readonly measureMs: number;
  /**
   * One call of writer `writer`, its `call`-th since the start; resolves with the number
   * of items (events) it completed.
   */
  readonly step: (writer: number, call: number) => Promise<number>;
}

export interface TimedWritersResult {
  /** Items completed by calls that finished inside the measured window. */
  readonly items: number;
  readonly calls: number;
  readonly itemsPerSecond: number;
  readonly latency: LatencySummary;
  readonly windowMs: number;
}

/**
 * Runs `writers` closed loops (each awaits its call before the next) for warm-up plus
 * window. A call counts, with its latency, when it completes inside the window; calls
 * still running at the end finish but are not counted.
 *
 * @example
 * const r = await runTimedWriters({ writers: 8, warmupMs: 1000, measureMs: 5000, step });
 */
export async function runTimedWriters(options: TimedWritersOptions): Promise<TimedWritersResult> {
  const { writers, warmupMs, measureMs, step } = options;
  const latencies = createLatencyRecorder();
  const startedAt = performance.now();
  const windowStart = startedAt + warmupMs;
  const windowEnd = windowStart + measureMs;
  let items = 0;
  let calls = 0;

  const loop = async (writer: number): Promise<void> => {
    for (let call = 0; performance.now() < windowEnd; call += 1) {
      const before = performance.now();
      const done = await step(writer, call);
      const after = performance.now();
      if (after >= windowStart && after <= windowEnd) {
        latencies.record(after - before);
        items += done;
        calls += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, writer) => loop(writer)));

  return {
    items,
    calls,
    itemsPerSecond: items / (measureMs / 1000),
    latency: latencies.summary(),
    windowMs: measureMs,
  };
}
