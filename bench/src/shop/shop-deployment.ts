import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { createBenchDatabase } from '../database/bench-database.ts';
import { type ReadyProcess, spawnUntilReady } from './spawn-until-ready.ts';

const shopDir = resolve(import.meta.dirname, '..', '..', '..', 'apps', 'shop');

/** The services of the shop, as `duet load shop --service` names them. */
const services = ['customers', 'catalog', 'orders', 'payments', 'order-history'] as const;

/**
 * The bench's API keys: staff, and 16 customers so no one customer's rows or rate-limit
 * budget is the bottleneck.
 */
export const benchApiKeys: Record<string, { id: string; tenant: string; roles: string[] }> = {
  'bench-staff': { id: 'bench-staff', tenant: 'shop', roles: ['staff'] },
  ...Object.fromEntries(
    Array.from({ length: 16 }, (_, i) => [
      `bench-c${i + 1}`,
      { id: `bench-c${i + 1}`, tenant: 'shop', roles: ['customer'] },
    ]),
  ),
};

/** A running shop the bench loads: the `duet load` arguments that reach it, and clean-up. */
export interface ShopDeployment {
  readonly name: 'services' | 'one-process';
  readonly store: 'postgres' | 'pglite';
  readonly transport: 'nats' | 'in-process';
  /** `--url ...` or `--service name=url ...` */
  readonly loadArgs: readonly string[];
  /** The shop's server processes by name (a service each, or `shop`), for their peak RSS. */
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
  /** The bench database's running totals (PostgreSQL only), for the per-order figures. */
  databaseCounters?(): Promise<DatabaseCounters>;
  close(): Promise<void>;
}

/** Running totals from `pg_stat_database` (they lag by up to a second). */
export interface DatabaseCounters {
  readonly commits: number;
  readonly rowsWritten: number;
}

const common = {
  SHOP_API_KEYS: JSON.stringify(benchApiKeys),
  // The default (600 a minute per key) is a safeguard for the demo, not a limit to measure.
  SHOP_RATE_LIMIT_PER_MINUTE: '100000000',
  LOG_LEVEL: 'warn',
};

/**
 * Every service in its own process (src/services/main-service.ts) on a bench database of
 * its own and NATS under a fresh SHOP_NAMESPACE; `close()` stops them, deletes the
 * namespace's broker streams and drops the database.
 */
export async function startServices(databaseUrl: string, natsUrl: string): Promise<ShopDeployment> {
  const db = await createBenchDatabase(databaseUrl, 'shop');
  const namespace = `bench_${randomBytes(4).toString('hex')}`;
  const entry = join(shopDir, 'src', 'services', 'main-service.ts');
  const started: ReadyProcess[] = [];
  const close = async () => {
    await Promise.all(started.map((process) => process.stop()));
    await deleteStreams(natsUrl, `${namespace.toUpperCase()}_`).catch(() => {});
    await db.drop();
  };
  // Every start settles before any clean-up, so none comes up after it and lives on.
  const spawned = await Promise.allSettled(
    services.map(async (service) => {
      const ready = await spawnUntilReady(
        ['--import', 'tsx', entry],
        {
          ...common,
          SHOP_SERVICE: service,
          DATABASE_URL: db.url,
          NATS_URL: natsUrl,
          SHOP_NAMESPACE: namespace,
          PORT: '0',
        },
        /ready at (http:\/\/\S+) in/,
        180_000,
      );
      started.push(ready);
      return [service, ready.ready[1]!, ready.child.pid ?? -1] as const;
    }),
  );
  const failed = spawned.find((result) => result.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const processes = spawned.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  return {
    name: 'services',
    store: 'postgres',
    transport: 'nats',
    processes: processes.map(([name, , pid]) => ({ name, pid })),
    databaseCounters: () => readDatabaseCounters(databaseUrl, db.url),
    // The load talks to every service but payments (the saga does).
    loadArgs: processes
      .filter(([service]) => service !== 'payments')
      .flatMap(([service, url]) => ['--service', `${service}=${url}`]),
    close,
  };
}

/**
 * `npm start`'s process (src/main.ts): the whole shop on PGlite in a fresh temporary
 * folder, over the in-process transport; `close()` stops it and removes the folder.
 */
export async function startOneProcess(): Promise<ShopDeployment> {
  const dataDir = await mkdtemp(join(tmpdir(), 'duet-bench-shop-'));
  const port = await freePort();
  try {
    const shop = await spawnUntilReady(
      ['--import', 'tsx', join(shopDir, 'src', 'main.ts')],
      { ...common, SHOP_DATA_DIR: dataDir, PORT: String(port) },
      /ready in/,
      180_000,
    );
    return {
      name: 'one-process',
      store: 'pglite',
      transport: 'in-process',
      loadArgs: ['--url', `http://127.0.0.1:${port}`],
      processes: [{ name: 'shop', pid: shop.child.pid ?? -1 }],
      async close() {
        await shop.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function readDatabaseCounters(serverUrl: string, dbUrl: string): Promise<DatabaseCounters> {
  const name = new URL(dbUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ commits: string; written: string }>(
      `SELECT xact_commit AS commits, tup_inserted + tup_updated + tup_deleted AS written
         FROM pg_stat_database WHERE datname = $1`,
      [name],
    );
    return { commits: Number(rows[0]?.commits ?? 0), rowsWritten: Number(rows[0]?.written ?? 0) };
  } finally {
    await client.end();
  }
}

async function deleteStreams(natsUrl: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) await jsm.streams.delete(name).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? done(address.port)
          : fail(new Error('no free port')),
      );
    });
  });
}
