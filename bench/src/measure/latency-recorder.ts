/**
 * Collects per-call latencies (milliseconds) and reports exact percentiles by sorting
 * once at the end. A 5 s run at 50,000 calls/s is 250k samples, 2 MB: no histogram needed.
 *
 * @example
 * const latencies = createLatencyRecorder();
 * latencies.record(1.7);
 * latencies.summary(); // { count: 1, p50: 1.7, p99: 1.7, max: 1.7 }
 */
export interface LatencyRecorder {
  record(milliseconds: number): void;
  summary(): LatencySummary;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function createLatencyRecorder(initialCapacity = 16_384): LatencyRecorder {
  let samples = new Float64Array(initialCapacity);
  let count = 0;
  return {
    record(milliseconds) {
      if (count === samples.length) {
        const grown = new Float64Array(samples.length * 2);
        grown.set(samples);
        samples = grown;
      }
      samples[count] = milliseconds;
      count += 1;
    },
    summary() {
      const sorted = samples.slice(0, count).sort();
      return {
        count,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: count === 0 ? 0 : (sorted[count - 1] ?? 0),
      };
    },
  };
}

/**
 * The nearest-rank percentile of ascending samples: the smallest sample that at least
 * `p` percent of samples are less than or equal to. 0 when there are no samples.
 */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1] ?? 0;
}
