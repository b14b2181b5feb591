import { openBackendMonitor } from '../append/backend-monitor.ts';
import {
  type CpuBreakdown,
  type CpuSample,
  cpuBreakdown,
  sampleCpu,
} from '../measure/cpu-breakdown.ts';

/** The CPU split of the other workloads, with nats-server's share taken out of "other". */
export type RelayCpu = CpuBreakdown & { readonly cpu_nats_pct: number };

/** Measures where the CPU went between `open` and `close`. */
export interface RelayCpuWindow {
  /** Call while the system's connections are still open, so its backends are known. */
  close(): Promise<RelayCpu | null>;
}

// USER_HZ, as in cpu-breakdown.ts.
const TICKS_PER_SECOND = 100;

export async function openRelayCpuWindow(databaseUrl: string): Promise<RelayCpuWindow> {
  const monitor = await openBackendMonitor(databaseUrl);
  const before = sampleCpu();
  return {
    async close() {
      const after = sampleCpu();
      try {
        const pids = await monitor.serverPids();
        const split = cpuBreakdown(before, after, {
          clientPid: process.pid,
          serverPids: pids.ours,
          foreignPids: pids.foreign,
        });
        if (split === null) return null;
        const nats = natsPercent(before, after);
        return {
          ...split,
          cpu_nats_pct: nats,
          cpu_other_pct: Math.max(0, Math.round((split.cpu_other_pct - nats) * 10) / 10),
        };
      } finally {
        await monitor.close();
      }
    },
  };
}

/** nats-server's CPU between two samples, in percent of one core (shared with other users). */
function natsPercent(before: CpuSample, after: CpuSample): number {
  let ticks = 0;
  for (const [pid, now] of after.processes) {
    if (now.comm !== 'nats-server') continue;
    ticks += now.ticks - (before.processes.get(pid)?.ticks ?? 0);
  }
  const seconds = (after.atMs - before.atMs) / 1000;
  return Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10;
}
