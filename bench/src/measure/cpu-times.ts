import { readFileSync } from 'node:fs';

/** Cumulative CPU time of the whole machine (all cores), from /proc/stat, in ticks. */
export interface CpuTimes {
  readonly idle: number;
  readonly total: number;
}

/** Null where there is no /proc/stat (not Linux). */
export function readCpuTimes(): CpuTimes | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { idle, total: fields.reduce((sum, value) => sum + value, 0) };
  } catch {
    return null;
  }
}

/** Percent of all cores' time that was busy between two readings (null if unknown). */
export function busyPercent(before: CpuTimes | null, after: CpuTimes | null): number | null {
  if (!before || !after || after.total === before.total) return null;
  const busy = 1 - (after.idle - before.idle) / (after.total - before.total);
  return Math.round(busy * 1000) / 10;
}
