import { readdirSync, readFileSync } from 'node:fs';
import { type CpuTimes, readCpuTimes } from './cpu-times.ts';

/** CPU ticks (USER_HZ) of every process at one moment, and the machine's totals. */
export interface CpuSample {
  readonly atMs: number;
  readonly machine: CpuTimes | null;
  readonly processes: ReadonlyMap<number, { readonly comm: string; readonly ticks: number }>;
}

/** Where the CPU went between two samples, in percent of one core. */
export interface CpuBreakdown {
  /** The measuring process (the bench's child: client, driver, store logic, PGlite). */
  readonly cpu_client_pct: number;
  /** The PostgreSQL backends connected to the bench database. */
  readonly cpu_server_pct: number;
  /** A child process of the bench's, where it has one (lag: the projection runner). */
  readonly cpu_runner_pct?: number;
  /** PostgreSQL's own processes: WAL writer, checkpointer, background writer. */
  readonly cpu_pg_aux_pct: number;
  /** Everything else on the machine, other databases' backends included: other people's work. */
  readonly cpu_other_pct: number;
}

/** Reads /proc once (about 100 processes here); empty where there is no /proc. */
export function sampleCpu(): CpuSample {
  const processes = new Map<number, { comm: string; ticks: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    // not Linux: no breakdown
  }
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) processes.set(Number(pid), stat);
  }
  return { atMs: performance.now(), machine: readCpuTimes(), processes };
}

/**
 * Splits the machine's busy time between two samples. "Other" is the machine's busy
 * time minus ours, so work by processes that ended meanwhile counts too. A backend
 * that exists only in the second sample counts from zero (it started in the window).
 */
export function cpuBreakdown(
  before: CpuSample,
  after: CpuSample,
  who: {
    readonly clientPid: number;
    readonly runnerPid?: number | undefined;
    readonly serverPids: ReadonlySet<number>;
    readonly foreignPids: ReadonlySet<number>;
  },
): CpuBreakdown | null {
  if (!before.machine || !after.machine) return null;
  let client = 0;
  let runner = 0;
  let server = 0;
  let pgAux = 0;
  for (const [pid, now] of after.processes) {
    const ticks = now.ticks - (before.processes.get(pid)?.ticks ?? 0);
    if (pid === who.clientPid) client += ticks;
    else if (pid === who.runnerPid) runner += ticks;
    else if (who.serverPids.has(pid)) server += ticks;
    // Other databases' backends stay in "other", with the rest of other people's work.
    else if (now.comm === 'postgres' && !who.foreignPids.has(pid)) pgAux += ticks;
  }
  const busy =
    after.machine.total - after.machine.idle - (before.machine.total - before.machine.idle);
  const seconds = (after.atMs - before.atMs) / 1000;
  const pct = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10;
  return {
    cpu_client_pct: pct(client),
    cpu_server_pct: pct(server),
    ...(who.runnerPid === undefined ? {} : { cpu_runner_pct: pct(runner) }),
    cpu_pg_aux_pct: pct(pgAux),
    cpu_other_pct: pct(Math.max(0, busy - client - runner - server - pgAux)),
  };
}

// USER_HZ: 100 on every Linux this runs on (`getconf CLK_TCK`).
const TICKS_PER_SECOND = 100;

function readStat(pid: string): { comm: string; ticks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const rest = text.slice(close + 2).split(' ');
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    return { comm: text.slice(open + 1, close), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null; // the process ended between listing and reading
  }
}
