import { openPGlite } from '../executor/open-pglite.ts';
import { createPgExecutor } from '../executor/pg-executor.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { migrate } from '../migrations/migrate.ts';
import { failOption } from '../options/option-checks.ts';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store.ts';
import type { PostgresEventStoreOptions } from './postgres-event-store-options.ts';

/** Where `openPostgresEventStore` connects: it opens that connection and owns it. */
export type PostgresConnectionOptions =
  | {
      /** `postgres://user@host:5432/db`: a `pg` pool is opened for the store. */
      readonly connectionString: string;
      /** Pool size (default 10). */
      readonly max?: number;
    }
  | {
      /**
       * A PGlite data directory (`'./data'`), or `'memory://'` for an in-memory database.
       * Needs `@electric-sql/pglite` installed. One process may open a directory once: while
       * it is open, other openers get `PGliteDirectoryInUseError` (see `openPGlite`).
       */
      readonly pglite: string;
    };

/** Options of `openPostgresEventStore`: a connection, plus every event store option. */
export type OpenPostgresEventStoreOptions = PostgresConnectionOptions &
  Omit<PostgresEventStoreOptions, 'executor'> & {
    /** Run `migrate` on `schema` before returning (default false: stores never change the schema on their own). */
    readonly migrate?: boolean;
  };

/**
 * Opens a connection (a `pg` pool or a PGlite database), an event store on it, and
 * returns the store; the store owns what was opened here, so `close()` (or
 * `await using`) ends the appends, then the connection, and the process can exit.
 *
 * Who closes what: what you open, you close. `createPostgresEventStore({ executor })`
 * uses an executor you opened, so its `close()` leaves that executor open (other stores
 * and runners may share it) and a process that closes only the store keeps running.
 * Use this opener when the store is the only user of its connection.
 *
 * @example
 * await using store = await openPostgresEventStore({ connectionString: process.env.DATABASE_URL!, migrate: true });
 * await store.append('cart-1', [{ type: 'CartOpened', data: {} }]);
 */
export async function openPostgresEventStore(
  options: OpenPostgresEventStoreOptions,
): Promise<PostgresEventStore> {
  if (typeof options !== 'object' || options === null) failOption('options', 'expected an object');
  const { migrate: runMigrations, ...rest } = options;
  const opened = await openConnection(options);
  try {
    if (runMigrations !== undefined && typeof runMigrations !== 'boolean') {
      failOption('migrate', `expected a boolean, got ${String(runMigrations)}`);
    }
    const storeOptions = withoutConnection(rest);
    if (runMigrations) {
      await migrate(opened.executor, {
        ...(storeOptions.schema ? { schema: storeOptions.schema } : {}),
      });
    }
    const store = createPostgresEventStore({ ...storeOptions, executor: opened.executor });
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        try {
          await store.close();
        } finally {
          await opened.close();
        }
      })();
      return closing;
    };
    return { ...store, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

interface OpenedConnection {
  readonly executor: SqlExecutor;
  close(): Promise<void>;
}

async function openConnection(options: PostgresConnectionOptions): Promise<OpenedConnection> {
  const hasUrl = 'connectionString' in options && options.connectionString !== undefined;
  const hasPGlite = 'pglite' in options && options.pglite !== undefined;
  if (hasUrl === hasPGlite) {
    failOption('connectionString', "expected exactly one of 'connectionString' and 'pglite'");
  }
  if ('connectionString' in options) {
    if (typeof options.connectionString !== 'string' || options.connectionString.length === 0) {
      failOption('connectionString', 'expected a postgres:// URL');
    }
    const executor = createPgExecutor({
      connectionString: options.connectionString,
      ...(options.max === undefined ? {} : { max: options.max }),
    });
    return { executor, close: () => executor.close() };
  }
  if (typeof options.pglite !== 'string' || options.pglite.length === 0) {
    failOption('pglite', "expected a data directory or 'memory://'");
  }
  const pglite = await openPGlite(options.pglite);
  return { executor: pglite.executor, close: () => pglite.close() };
}

/** The event store's own options: the connection's are not its business. */
function withoutConnection(
  options: Omit<OpenPostgresEventStoreOptions, 'migrate'>,
): Omit<PostgresEventStoreOptions, 'executor'> {
  const {
    connectionString: _url,
    max: _max,
    pglite: _pglite,
    ...rest
  } = options as Record<string, unknown>;
  return rest as Omit<PostgresEventStoreOptions, 'executor'>;
}
