import { openBackendMonitor } from '../append/backend-monitor.ts';
import { type CpuBreakdown, cpuBreakdown, sampleCpu } from '../measure/cpu-breakdown.ts';

/** Measures where the CPU went between `open` and `close`: this process, our backends, others. */
export interface CpuWindow {
  /** Call while the system's connections are still open, so its backends are known. */
  close(): Promise<CpuBreakdown | null>;
}

/** `runnerPid`: a child process of the bench's whose CPU is counted apart (cpu_runner_pct). */
export async function openCpuWindow(
  databaseUrl: string,
  options: { readonly runnerPid?: number } = {},
): Promise<CpuWindow> {
  const monitor = await openBackendMonitor(databaseUrl);
  const before = sampleCpu();
  return {
    async close() {
      const after = sampleCpu();
      try {
        const pids = await monitor.serverPids();
        return cpuBreakdown(before, after, {
          clientPid: process.pid,
          runnerPid: options.runnerPid,
          serverPids: pids.ours,
          foreignPids: pids.foreign,
        });
      } finally {
        await monitor.close();
      }
    },
  };
}
