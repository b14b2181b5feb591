import { type CpuTimes, readCpuTimes } from '../measure/cpu-times.ts';
import { machineInfo } from '../report/machine-info.ts';
import { runDuetLoad } from './run-duet-load.ts';
import { type ShopDeployment, startOneProcess, startServices } from './shop-deployment.ts';
import { describeShopLine, shopLine, type WindowCounts } from './shop-lines.ts';

export interface ShopBenchOptions {
  readonly json: boolean;
  readonly store: 'postgres' | 'pglite' | 'all';
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** Measured seconds of each case. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Orders per second of the open-loop case; null: half the closed loop's confirmed orders/s. */
  readonly rate: number | null;
  /** Clients of the closed-loop case. */
  readonly clients: number;
}

/**
 * The shop workload: `duet load shop` against the shop, as its own process. For each
 * deployment, started fresh and used for both of its cases (every service its own process on PostgreSQL + NATS with
 * `--store postgres`; `npm start`'s one process on PGlite with `--store pglite`; both by
 * default): (a) a closed loop of `clients`, orders/s confirmed end to end; (b) an open loop
 * at `rate`, placement → history-visible p50/p99. Every process, database, broker stream
 * and folder it made is removed at the end, also on Ctrl-C.
 */
export async function runShopBench(options: ShopBenchOptions): Promise<void> {
  const machine = await machineInfo(options.store === 'pglite' ? undefined : options.databaseUrl);
  if (options.json) process.stdout.write(`${JSON.stringify(machine)}\n`);
  const starts: (() => Promise<ShopDeployment>)[] = [];
  if (options.store !== 'pglite') {
    starts.push(() => startServices(options.databaseUrl, options.natsUrl));
  }
  if (options.store !== 'postgres') starts.push(startOneProcess);
  let current: ShopDeployment | null = null;
  const onSignal = () => {
    process.stderr.write('shop: interrupted, stopping the shop and removing its data\n');
    void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const times = [
    '--duration',
    String(options.seconds),
    '--warmup',
    String(options.warmupSeconds),
    '--drain',
    '30',
  ];
  try {
    for (const start of starts) {
      process.stderr.write('shop: starting a deployment\n');
      const deployment = await start();
      current = deployment;
      try {
        const run = async (load: readonly string[]) => {
          process.stderr.write(`shop: ${deployment.name} ${load.join(' ')}\n`);
          const window = countWindow(deployment);
          const summary = await runDuetLoad(
            [...deployment.loadArgs, ...load, ...times],
            window.mark,
          );
          const line = shopLine(deployment, summary, await window.counts());
          process.stdout.write(options.json ? `${JSON.stringify(line)}\n` : describeShopLine(line));
          return line;
        };
        const closed = await run(['--clients', String(options.clients)]);
        const rate = options.rate ?? Math.max(1, Math.round(closed.confirmed_per_sec / 2));
        await run(['--rate', String(rate)]);
      } finally {
        current = null;
        await deployment.close();
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Readings at the measured window's two ends (`mark`, from the load's progress lines):
 * the machine's CPU from /proc/stat and the bench database's counters.
 */
function countWindow(deployment: ShopDeployment) {
  const marks: {
    cpu: CpuTimes | null;
    db: Promise<{ commits: number; rowsWritten: number } | null>;
  }[] = [];
  return {
    mark() {
      marks.push({
        cpu: readCpuTimes(),
        db: deployment.databaseCounters?.().catch(() => null) ?? Promise.resolve(null),
      });
    },
    async counts(): Promise<WindowCounts> {
      const [from, to] = marks;
      if (!from || !to) return { cpuBusyMs: null, commits: null, rowsWritten: null };
      const [dbFrom, dbTo] = await Promise.all([from.db, to.db]);
      // /proc/stat counts in USER_HZ ticks, 100 a second on Linux.
      const cpuBusyMs =
        from.cpu && to.cpu
          ? (to.cpu.total - to.cpu.idle - (from.cpu.total - from.cpu.idle)) * 10
          : null;
      return {
        cpuBusyMs,
        commits: dbFrom && dbTo ? dbTo.commits - dbFrom.commits : null,
        rowsWritten: dbFrom && dbTo ? dbTo.rowsWritten - dbFrom.rowsWritten : null,
      };
    },
  };
}
