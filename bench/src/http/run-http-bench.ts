import { resolve } from 'node:path';
import { request } from 'undici';
import { openBackendMonitor } from '../append/backend-monitor.ts';
import { createBenchDatabase } from '../database/bench-database.ts';
import { peakRssMb } from '../measure/peak-rss.ts';
import { machineInfo } from '../report/machine-info.ts';
import { startOneProcess } from '../shop/shop-deployment.ts';
import { spawnUntilReady } from '../shop/spawn-until-ready.ts';
import { databaseCommits } from './database-commits.ts';
import {
  describeHttpLine,
  type HttpLine,
  type HttpRatioLine,
  type HttpSystem,
  httpFigures,
  httpRatioLine,
} from './http-lines.ts';
import { type HttpRequestPlan, runHttpLoops } from './http-loops.ts';
import { addItemRequest, cartSupply, placeOrderRequest } from './place-order-carts.ts';
import { peakRssOfMb, serverWindowCpu } from './server-window-cpu.ts';
import { startShopOrdersService } from './shop-orders-service.ts';

export interface HttpBenchOptions {
  readonly json: boolean;
  readonly store: 'postgres' | 'pglite' | 'all';
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Connections of the load, one closed loop each. */
  readonly clients: number;
  /** Carts seeded for the shop and for Emmett: more than warm-up + window will place. */
  readonly carts: number;
}

/** A server under test: where it listens, its process, and how to stop it. */
interface RunningServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const here = import.meta.dirname;

/**
 * Node's flags for every server process: with DUET_BENCH_CPU_PROF=<dir> each writes a CPU
 * profile there when it stops (`--cpu-prof`), to see where a server's time goes.
 */
function serverNodeArgs(): string[] {
  const dir = process.env.DUET_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'tsx'] : ['--import', 'tsx'];
}

/**
 * `bench http`: the shop's PlaceOrder over HTTP at `clients` connections beside a bare
 * Fastify route with one INSERT (the ceiling) and Emmett's CommandHandler behind a plain
 * Fastify route, each server its own process on a database of its own, one after the
 * other in the same run; then (`--store pglite` or `all`) `npm start`'s one process on
 * PGlite. Every database and process it made is removed at the end, also on Ctrl-C.
 */
export async function runHttpBench(options: HttpBenchOptions): Promise<void> {
  const machine = await machineInfo(options.store === 'pglite' ? undefined : options.databaseUrl);
  if (options.json) process.stdout.write(`${JSON.stringify(machine)}\n`);
  const print = (line: HttpLine | HttpRatioLine) =>
    process.stdout.write(options.json ? `${JSON.stringify(line)}\n` : describeHttpLine(line));
  const cleanups = new Set<() => Promise<void>>();
  const onSignal = () => {
    process.stderr.write('http: interrupted, stopping the servers and removing their data\n');
    void Promise.allSettled([...cleanups].map((clean) => clean())).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (options.store !== 'pglite') {
      const lines: HttpLine[] = [];
      for (const system of ['bare', 'duet', 'duet-route', 'emmett'] as const) {
        const line = await onPostgres(options, system, cleanups);
        lines.push(line);
        print(line);
      }
      print(httpRatioLine(lines, options.clients));
    }
    if (options.store !== 'postgres') {
      for (const line of await onPGlite(options, cleanups)) print(line);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One PostgreSQL system on a fresh database: start, seed, load, stop, drop. */
async function onPostgres(
  options: HttpBenchOptions,
  system: Exclude<HttpSystem, 'duet-pglite'>,
  cleanups: Set<() => Promise<void>>,
): Promise<HttpLine> {
  const db = await createBenchDatabase(options.databaseUrl, `http_${system.replace('-', '_')}`);
  let server: RunningServer | null = null;
  const clean = async () => {
    await server?.stop();
    await db.drop();
  };
  cleanups.add(clean);
  const base = {
    workload: 'http' as const,
    system,
    store: 'postgres' as const,
    server: serverWords[system],
    command: 'PlaceOrder' as const,
    connections: options.clients,
  };
  try {
    process.stderr.write(`http: starting ${system}\n`);
    const started = performance.now();
    server = await startServer(system, db.url, options);
    process.stderr.write(
      `http: ${system} ready and seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    // The ceiling takes any body: its supply never runs out.
    let next = 0;
    const supply =
      system === 'bare'
        ? () => placeOrderRequest(next++)
        : cartSupply(options.carts, placeOrderRequest);
    return { ...base, ...(await measure(options, server, db.url, supply)) };
  } catch (error) {
    return { ...base, ...failedFigures(), error: (error as Error).message.split('\n')[0] ?? '' };
  } finally {
    await clean();
    cleanups.delete(clean);
  }
}

const serverWords: Record<HttpSystem, string> = {
  bare: 'Fastify route, one INSERT per request, pg.Pool of 10',
  duet: "the shop's orders service process, command role (SHOP_ROLES=command), pool of 10",
  'duet-route':
    "Duet's command bus with the shop's order handler behind a Fastify route like Emmett's, plain executor, pool of 10",
  emmett: 'Emmett 0.42 CommandHandler behind a Fastify route, pg.Pool of 10',
  'duet-pglite': "npm start's one process on PGlite: every service, projections and saga",
};

async function startServer(
  system: Exclude<HttpSystem, 'duet-pglite'>,
  databaseUrl: string,
  options: HttpBenchOptions,
): Promise<RunningServer> {
  if (system === 'duet') {
    const orders = await startShopOrdersService(databaseUrl, options.natsUrl, serverNodeArgs());
    try {
      await orders.seed(options.carts);
    } catch (error) {
      await orders.stop();
      throw error;
    }
    return orders;
  }
  const entry = resolve(here, `${system}-server.ts`);
  const ready = await spawnUntilReady(
    [...serverNodeArgs(), entry],
    { DATABASE_URL: databaseUrl, CARTS: String(options.carts), PORT: '0' },
    /ready at (http:\/\/\S+)/,
    600_000,
  );
  const pid = ready.child.pid;
  if (pid === undefined) throw new Error(`${system} has no pid`);
  return { url: ready.ready[1] ?? '', pid, stop: () => ready.stop() };
}

/** The load against one server, with its CPU over the window and its peak RSS. */
async function measure(
  options: HttpBenchOptions,
  server: { readonly url: string; readonly pid: number },
  databaseUrl: string | undefined,
  next: () => HttpRequestPlan | undefined,
) {
  const monitor = await openBackendMonitor(databaseUrl);
  try {
    const cpu = serverWindowCpu(server.pid, monitor);
    const commits: Promise<number | null>[] = [];
    const result = await runHttpLoops({
      url: server.url,
      connections: options.clients,
      warmupMs: options.warmupSeconds * 1000,
      measureMs: options.seconds * 1000,
      next,
      onWindow: () => {
        cpu.mark();
        if (databaseUrl !== undefined) commits.push(databaseCommits(databaseUrl));
      },
    });
    const [before, after] = await Promise.all(commits);
    const figures = httpFigures(result, await cpu.split(), peakRssOfMb(server.pid), peakRssMb());
    const perRequest =
      before == null || after == null || result.ok === 0
        ? null
        : Math.round(((after - before) / result.ok) * 100) / 100;
    return { ...figures, commits_per_request: perRequest };
  } finally {
    await monitor.close();
  }
}

/**
 * `npm start`'s one process on PGlite (the shop bench's one-process deployment): stock for
 * the demo catalog's tea, then AddItem opening fresh carts at full load (a line of its
 * own: what it takes of the command that makes carts), then PlaceOrder over those carts.
 * Every placed order also runs the placement saga in the same process.
 */
async function onPGlite(
  options: HttpBenchOptions,
  cleanups: Set<() => Promise<void>>,
): Promise<HttpLine[]> {
  process.stderr.write("http: starting npm start's one process on PGlite\n");
  const shop = await startOneProcess();
  const clean = () => shop.close();
  cleanups.add(clean);
  const base = {
    workload: 'http' as const,
    system: 'duet-pglite' as const,
    store: 'pglite' as const,
    server: serverWords['duet-pglite'],
    connections: options.clients,
  };
  const lines: HttpLine[] = [];
  try {
    const url = shop.loadArgs[1] ?? '';
    const pid = shop.processes[0]?.pid ?? -1;
    if (pid < 0) throw new Error('the shop has no pid');
    const server = { url, pid };
    const stocked = await request(`${url}/commands/ReceiveStock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'bench-staff' },
      body: JSON.stringify({ sku: 'tea', quantity: 1_000_000 }),
    });
    const answer = await stocked.body.text();
    if (stocked.statusCode !== 200)
      throw new Error(`ReceiveStock: ${stocked.statusCode} ${answer}`);
    let carts = 0;
    const added = await measure(options, server, undefined, () => addItemRequest(carts++));
    lines.push({ ...base, command: 'AddItem', ...added });
    const placed = await measure(options, server, undefined, cartSupply(carts, placeOrderRequest));
    lines.push({ ...base, command: 'PlaceOrder', ...placed });
  } catch (error) {
    lines.push({
      ...base,
      command: 'PlaceOrder',
      ...failedFigures(),
      error: (error as Error).message.split('\n')[0] ?? '',
    });
  } finally {
    await clean();
    cleanups.delete(clean);
  }
  return lines;
}

function failedFigures() {
  return {
    requests_per_sec: 0,
    p50_ms: 0,
    p99_ms: 0,
    max_ms: 0,
    seconds: 0,
    ok: 0,
    answered: 0,
    failed: {},
    ran_out: false,
    server_peak_rss_mb: null,
    load_peak_rss_mb: peakRssMb(),
    app_us_per_request: null,
    db_us_per_request: null,
    commits_per_request: null,
  };
}
