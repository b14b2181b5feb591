import { readFileSync } from 'node:fs';
import type { BackendMonitor } from '../append/backend-monitor.ts';
import { type CpuSample, cpuBreakdown, sampleCpu } from '../measure/cpu-breakdown.ts';

/** Where the CPU went over the measured window, in percent of one core. */
export interface ServerWindowCpu {
  /** The HTTP server's Node process (the system under test, without its database). */
  readonly cpu_app_pct: number;
  /** The PostgreSQL backends of the system's database (0 on PGlite: it is in the app). */
  readonly cpu_db_pct: number;
  /** The load generator (this process). */
  readonly cpu_load_pct: number;
  /** PostgreSQL's own processes (WAL writer, checkpointer). */
  readonly cpu_pg_aux_pct: number;
  /** Everything else: other people's work on the machine. */
  readonly cpu_other_pct: number;
}

/**
 * Samples every process's CPU at the window's edges (`mark`) and splits the window's
 * CPU between the app server `appPid`, its database's backends, this process (the load)
 * and the rest.
 *
 * @example
 * const cpu = serverWindowCpu(server.pid, monitor);
 * await runHttpLoops({ ..., onWindow: cpu.mark });
 * const split = await cpu.split();
 */
export function serverWindowCpu(appPid: number, monitor: BackendMonitor) {
  const samples: CpuSample[] = [];
  return {
    mark: () => {
      samples.push(sampleCpu());
    },
    async split(): Promise<ServerWindowCpu | null> {
      const [before, after] = samples;
      if (!before || !after) return null;
      const pids = await monitor.serverPids();
      const breakdown = cpuBreakdown(before, after, {
        clientPid: process.pid,
        serverPids: pids.ours,
        foreignPids: pids.foreign,
      });
      if (!breakdown) return null;
      const seconds = (after.atMs - before.atMs) / 1000;
      const appTicks =
        (after.processes.get(appPid)?.ticks ?? 0) - (before.processes.get(appPid)?.ticks ?? 0);
      // USER_HZ is 100 on every Linux this runs on.
      const app = Math.round((appTicks / 100 / seconds) * 1000) / 10;
      return {
        cpu_app_pct: app,
        cpu_db_pct: breakdown.cpu_server_pct,
        cpu_load_pct: breakdown.cpu_client_pct,
        cpu_pg_aux_pct: breakdown.cpu_pg_aux_pct,
        cpu_other_pct: Math.max(0, Math.round((breakdown.cpu_other_pct - app) * 10) / 10),
      };
    },
  };
}

/** The peak resident set of process `pid` so far (VmHWM), in MB; null if unreadable. */
export function peakRssOfMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return null;
  }
}
