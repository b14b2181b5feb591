import { createEventRegistry } from '@duet/core';
import { createPostgresEventStore, type PostgresEventStore } from '@duet/postgres';
import type { DuetCliConfig } from '../config/cli-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { checkSchema } from '../options/check-schema.ts';
import type { GlobalOptions } from '../options/global-options.ts';
import { checkMigrated } from './check-migrated.ts';
import { type OpenDatabase, openDatabase } from './open-database.ts';

/** What most commands work with: a migrated schema, its event store and the --config. */
export interface Session extends AsyncDisposable {
  readonly db: OpenDatabase;
  readonly schema: string;
  readonly store: PostgresEventStore;
  readonly config: DuetCliConfig;
}

/** --schema or DUET_SCHEMA, else the --config's `schema`, else the default. */
export function schemaOf(options: GlobalOptions, config: DuetCliConfig): string {
  return options.schemaGiven ? options.schema : (config.schema ?? options.schema);
}

/**
 * Checks the options and the config (cheap mistakes first), opens the database, checks
 * the schema is migrated, and creates the event store (upcasting with the config's events).
 *
 * @example
 * await using session = await openSession(readGlobalOptions(command));
 */
export async function openSession(options: GlobalOptions): Promise<Session> {
  const config = await loadConfig(options.config);
  const schema = checkSchema(schemaOf(options, config));
  const db = await openDatabase(options.target, { create: false });
  try {
    await checkMigrated(db.executor, schema);
    const store = createPostgresEventStore({
      executor: db.executor,
      schema,
      // Not strict: the CLI only reads, and must show types the config does not define.
      ...(config.events ? { events: createEventRegistry(config.events, { strict: false }) } : {}),
    });
    const close = async () => {
      await store.close();
      await db.close();
    };
    return { db, schema, store, config, [Symbol.asyncDispose]: close };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
