import type { ServerPids } from '../append/backend-monitor.ts';
import { type CpuSample, cpuBreakdown } from '../measure/cpu-breakdown.ts';
import type { ScaleChildMessage, WakeMode } from './scale-messages.ts';
import type { WaitCounts } from './wait-sampler.ts';

type ChildResult = Extract<ScaleChildMessage, { kind: 'result' }>;

/** One round of `bench scale` (`--json` prints it as it is). */
export interface ScaleLine {
  readonly workload: 'scale';
  readonly processes: number;
  /** How readers were woken (see `WakeMode`). */
  readonly wake: WakeMode;
  readonly writers_per_process: number;
  readonly seconds: number;
  /** All processes together. */
  readonly events_per_sec: number;
  /** Appends that succeeded in all, warm-up and after the window included. */
  readonly appended: number;
  /** Each process's events/s. */
  readonly per_process: readonly number[];
  /** The highest p50 and p99 among the processes. */
  readonly p50_ms: number;
  readonly p99_ms: number;
  /** The largest peak RSS among the processes. */
  readonly peak_rss_mb: number;
  readonly errors: number;
  readonly error?: string;
  /** NOTIFYs a listener on the store's channel got, per second: the wake-ups the appends cost. */
  readonly wakes_per_sec: number;
  /** CPU over the window, percent of one core: the app processes, the database's backends, the rest. */
  readonly cpu_app_pct: number | null;
  readonly cpu_db_pct: number | null;
  readonly cpu_pg_aux_pct: number | null;
  readonly cpu_other_pct: number | null;
  /** Server CPU per event, µs. */
  readonly db_us_per_event: number | null;
  readonly wait_samples: number;
  /** Active backends per sample by `wait_event_type:wait_event`, the largest first. */
  readonly active_backends_by_wait: Readonly<Record<string, number>>;
  /** Ungranted lock requests per sample by `locktype:mode[:notify]`. */
  readonly ungranted_locks: Readonly<Record<string, number>>;
  /** Share of samples in which a backend of ours / of another database held the notify lock. */
  readonly notify_lock_held_by: Readonly<Record<string, number>>;
}

/** The line of one round from the processes' results, the CPU samples and the waits. */
export function scaleLine(input: {
  readonly processes: number;
  readonly wake: WakeMode;
  readonly writersPerProcess: number;
  readonly seconds: number;
  readonly results: readonly ScaleChildMessage[];
  /** NOTIFYs a listener got on the store's channel in the window. */
  readonly notified: number;
  readonly cpu: {
    readonly before: CpuSample;
    readonly after: CpuSample;
    readonly appPids: readonly number[];
    readonly pids: ServerPids;
  };
  readonly waits: WaitCounts;
}): ScaleLine {
  const results = input.results.filter((r): r is ChildResult => r.kind === 'result');
  const { before, after, appPids, pids } = input.cpu;
  const breakdown = cpuBreakdown(before, after, {
    clientPid: -1,
    serverPids: pids.ours,
    foreignPids: pids.foreign,
  });
  const seconds = (after.atMs - before.atMs) / 1000;
  let appTicks = 0;
  for (const pid of appPids) {
    appTicks += (after.processes.get(pid)?.ticks ?? 0) - (before.processes.get(pid)?.ticks ?? 0);
  }
  // USER_HZ is 100 on every Linux this runs on.
  const app = Math.round((appTicks / 100 / seconds) * 1000) / 10;
  const perProcess = results.map((r) => Math.round(r.events / input.seconds));
  const eventsPerSec = perProcess.reduce((sum, n) => sum + n, 0);
  const perSample = (counts: Readonly<Record<string, number>>) =>
    Object.fromEntries(
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([key, n]) => [key, Math.round((n / Math.max(1, input.waits.samples)) * 100) / 100]),
    );
  const error = results.find((r) => r.error !== undefined)?.error;
  return {
    workload: 'scale',
    processes: input.processes,
    wake: input.wake,
    writers_per_process: input.writersPerProcess,
    seconds: input.seconds,
    events_per_sec: eventsPerSec,
    appended: results.reduce((sum, r) => sum + r.appended, 0),
    per_process: perProcess,
    p50_ms: Math.max(0, ...results.map((r) => r.p50_ms)),
    p99_ms: Math.max(0, ...results.map((r) => r.p99_ms)),
    peak_rss_mb: Math.max(0, ...results.map((r) => r.peak_rss_mb)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    ...(error === undefined ? {} : { error }),
    wakes_per_sec: Math.round(input.notified / input.seconds),
    cpu_app_pct: breakdown ? app : null,
    cpu_db_pct: breakdown?.cpu_server_pct ?? null,
    cpu_pg_aux_pct: breakdown?.cpu_pg_aux_pct ?? null,
    cpu_other_pct: breakdown
      ? Math.max(0, Math.round((breakdown.cpu_other_pct - app) * 10) / 10)
      : null,
    db_us_per_event:
      breakdown && eventsPerSec > 0
        ? Math.round(((breakdown.cpu_server_pct / 100) * 1e6) / eventsPerSec)
        : null,
    wait_samples: input.waits.samples,
    active_backends_by_wait: perSample(input.waits.waits),
    ungranted_locks: perSample(input.waits.ungranted_locks),
    notify_lock_held_by: perSample(input.waits.notify_lock_held_by),
  };
}

/** Each process count's events/s over one process's, for one way of waking readers. */
export interface ScaleRatioLine {
  readonly workload: 'scale-ratio';
  readonly wake: WakeMode;
  readonly one_process_events_per_sec: number | null;
  readonly ratios: Readonly<Record<string, number | null>>;
}

export function scaleRatioLine(lines: readonly ScaleLine[], wake: WakeMode): ScaleRatioLine {
  const one = lines.find((line) => line.processes === 1)?.events_per_sec ?? null;
  return {
    workload: 'scale-ratio',
    wake,
    one_process_events_per_sec: one,
    ratios: Object.fromEntries(
      lines
        .filter((line) => line.processes !== 1)
        .map((line) => [
          `${line.processes}_to_1`,
          one ? Math.round((line.events_per_sec / one) * 100) / 100 : null,
        ]),
    ),
  };
}

/** One line for people. */
export function describeScaleLine(line: ScaleLine | ScaleRatioLine): string {
  if (line.workload === 'scale-ratio') {
    return `scale, wake ${line.wake}: ${Object.entries(line.ratios)
      .map(([key, ratio]) => `${key.replace('_to_', ' processes / ')} ${ratio ?? '-'}`)
      .join(', ')}\n`;
  }
  const waits = Object.entries(line.active_backends_by_wait)
    .slice(0, 4)
    .map(([wait, n]) => `${wait} ${n}`)
    .join(', ');
  return `scale ${line.processes} process(es) x ${line.writers_per_process} writers, wake ${line.wake}: ${line.events_per_sec} events/s (${line.per_process.join(' + ')}), p99 ${line.p99_ms} ms, db ${line.db_us_per_event ?? '-'} µs/event, CPU app ${line.cpu_app_pct ?? '-'} % db ${line.cpu_db_pct ?? '-'} % others ${line.cpu_other_pct ?? '-'} %; active backends by wait: ${waits}${line.errors > 0 ? `; ${line.errors} errors: ${line.error}` : ''}\n`;
}
