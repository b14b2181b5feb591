import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createPgExecutor } from '../executor/pg-executor.ts';
import { createPGliteExecutor } from '../executor/pglite-executor.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { migrate } from '../migrations/migrate.ts';

export interface TestDatabaseOptions {
  readonly kind: 'postgres' | 'pglite';
  /** PostgreSQL only (default: DUET_TEST_DATABASE_URL, else postgres://root@127.0.0.1:5432/test). */
  readonly url?: string;
  /** Run `migrate` on the fresh schema (default true). Pass false to test migrations. */
  readonly migrate?: boolean;
  /** PostgreSQL only: connections in the pool (default 10). */
  readonly poolSize?: number;
}

export interface TestDatabase extends AsyncDisposable {
  readonly executor: SqlExecutor;
  /** A fresh schema of its own, e.g. `t_3f9a1c2b7d`. */
  readonly schema: string;
  /** Drops the schema and closes what was opened for it. */
  dispose(): Promise<void>;
}

/** The PostgreSQL the tests use: DUET_TEST_DATABASE_URL, else the local server. */
export function testDatabaseUrl(): string {
  return process.env.DUET_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
}

// Opening PGlite costs seconds and hundreds of MB, so a test file shares one instance and
// each test gets its own schema. Where files share a process's modules (Vitest with
// `isolate: false`), the runner closes it after each file with `closeSharedPGlite`, so a
// file never inherits another's schemas, listeners or a transaction it left open.
let sharedPGlite: Promise<PGlite> | null = null;
// The files of a fresh cluster, dumped from the process's first PGlite: a PGlite loaded
// from them opens in about 1 s, against 3-4 s for one that runs initdb.
let freshCluster: Promise<Blob> | null = null;

async function openPGlite(): Promise<PGlite> {
  if (freshCluster !== null) return PGlite.create({ loadDataDir: await freshCluster });
  const db = await PGlite.create();
  freshCluster = db.dumpDataDir('none');
  freshCluster.catch(() => {
    freshCluster = null;
  });
  await freshCluster;
  return db;
}

/**
 * Closes the PGlite that `openTestDatabase({ kind: 'pglite' })` shares, if one is open; the
 * next call opens a fresh one. Call it after each test file where files share modules:
 *
 * @example
 * // vitest setup file
 * afterAll(closeSharedPGlite);
 */
export async function closeSharedPGlite(): Promise<void> {
  const opened = sharedPGlite;
  sharedPGlite = null;
  if (opened !== null) await (await opened).close();
}

/**
 * A fresh schema to test against, on PostgreSQL (its own pool) or on the test file's
 * shared in-memory PGlite. Migrated unless `migrate: false`.
 *
 * @example
 * await using db = await openTestDatabase({ kind: 'pglite' });
 * const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
 */
export async function openTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let executor: SqlExecutor;
  if (options.kind === 'postgres') {
    executor = createPgExecutor({
      connectionString: options.url ?? testDatabaseUrl(),
      max: options.poolSize ?? 10,
    });
  } else {
    sharedPGlite ??= openPGlite();
    executor = createPGliteExecutor(await sharedPGlite);
  }
  if (options.migrate !== false) await migrate(executor, { schema });
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    try {
      await executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await executor.close();
    }
  };
  return { executor, schema, dispose, [Symbol.asyncDispose]: dispose };
}
