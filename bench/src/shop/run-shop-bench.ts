import { machineInfo } from '../report/machine-info.ts';
import { runDuetLoad } from './run-duet-load.ts';
import { type ShopDeployment, startOneProcess, startServices } from './shop-deployment.ts';
import { describeShopLine, shopLine } from './shop-lines.ts';

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
          const summary = await runDuetLoad([...deployment.loadArgs, ...load, ...times]);
          const line = shopLine(deployment, summary);
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
