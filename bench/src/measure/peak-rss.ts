import { readFileSync, writeFileSync } from 'node:fs';

/**
 * The process's peak resident set size so far, in MB (the kernel's ru_maxrss). It never
 * goes down: on a line measured after others in the same process it is the peak of all of
 * them, so each bench line says which process it was taken in.
 *
 * @example
 * peakRssMb(); // 142.3
 */
export function peakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/**
 * Resets the kernel's peak resident set of this process (VmHWM) to what it holds now, so
 * `peakRssSinceResetMb` measures one phase (a rebuild after its seeding) on its own. Linux
 * only (`/proc/self/clear_refs`); false where it cannot.
 *
 * @example
 * resetPeakRss(); await rebuild(); peakRssSinceResetMb(); // 97.4
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** VmHWM of this process in MB (the peak since start or since `resetPeakRss`), or null. */
export function peakRssSinceResetMb(): number | null {
  return processPeakRssMb('self');
}

/**
 * The peak resident set of another process of this machine so far, in MB (its VmHWM),
 * or null where it cannot be read (not Linux, the process has exited).
 *
 * @example
 * processPeakRssMb(child.pid!); // 187.2
 */
export function processPeakRssMb(pid: number | 'self'): number | null {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return null;
  }
}
