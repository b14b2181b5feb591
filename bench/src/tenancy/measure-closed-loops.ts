import type { BackendMonitor } from '../append/backend-monitor.ts';
import type { ExecutorCounts } from '../append/counting-executor.ts';
import { cpuBreakdown, sampleCpu } from '../measure/cpu-breakdown.ts';
import { peakRssMb } from '../measure/peak-rss.ts';
import { runTimedWriters } from '../measure/run-timed-writers.ts';

/** A line's figures, without the names of what ran. */
export type LoopFigures = Record<string, number> & {
  readonly events_per_sec: number;
  readonly calls_per_sec: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  readonly seconds: number;
  readonly peak_rss_mb: number;
};

/**
 * Runs `loops` closed loops (warm-up, then the measured window; see `runTimedWriters`)
 * and adds where the time went: CPU split, server CPU per event, and, when `counts`
 * watches the executor, round trips and commits per call. Those are over the whole run,
 * warm-up included, as the append bench's are.
 *
 * @example
 * const figures = await measureClosedLoops({ loops: 64, warmupMs, measureMs, monitor, step });
 */
export async function measureClosedLoops(options: {
  readonly loops: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly monitor: BackendMonitor;
  readonly counts?: ExecutorCounts;
  /** One call of loop `loop`; resolves with the events it wrote or read. */
  readonly step: (loop: number, call: number) => Promise<number>;
}): Promise<LoopFigures> {
  const { counts } = options;
  if (counts) {
    counts.commits = 0;
    counts.roundTrips = 0;
  }
  let allCalls = 0;
  const cpuBefore = sampleCpu();
  const result = await runTimedWriters({
    writers: options.loops,
    warmupMs: options.warmupMs,
    measureMs: options.measureMs,
    step: async (loop, call) => {
      const events = await options.step(loop, call);
      allCalls += 1;
      return events;
    },
  });
  const cpuAfter = sampleCpu();
  const server = await options.monitor.serverPids();
  const cpu = cpuBreakdown(cpuBefore, cpuAfter, {
    clientPid: process.pid,
    serverPids: server.ours,
    foreignPids: server.foreign,
  });
  const seconds = result.windowMs / 1000;
  const eventsPerSec = result.itemsPerSecond;
  const per = (n: number) => Math.round((n / Math.max(allCalls, 1)) * 100) / 100;
  return {
    events_per_sec: Math.round(eventsPerSec),
    calls_per_sec: Math.round(result.calls / seconds),
    p50_ms: round3(result.latency.p50),
    p99_ms: round3(result.latency.p99),
    max_ms: round3(result.latency.max),
    seconds,
    peak_rss_mb: peakRssMb(),
    ...(cpu ?? {}),
    // Server CPU over the run divided by the events of the window's rate: warm-up is taken
    // to run at the window's rate (it is 1 s of the 6).
    ...(cpu && eventsPerSec > 0
      ? { server_us_per_event: Math.round(((cpu.cpu_server_pct / 100) * 1e6) / eventsPerSec) }
      : {}),
    ...(counts
      ? { round_trips_per_call: per(counts.roundTrips), commits_per_call: per(counts.commits) }
      : {}),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
