import { createEventRegistry } from '@duet/core';
import {
  createPostgresEventStore,
  type PostgresEventStore,
  type SqlExecutor,
} from '@duet/postgres';
import type { DuetCliConfig } from '../config/cli-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { checkSchema } from '../options/check-schema.ts';
import type { GlobalOptions } from '../options/global-options.ts';
import { checkMigrated } from './check-migrated.ts';
import { type OpenDatabase, openDatabase } from './open-database.ts';
import { scopeToTenant } from './scope-to-tenant.ts';

/** What most commands work with: a migrated schema, its event store and the --config. */
export interface Session extends AsyncDisposable {
  readonly db: OpenDatabase;
  /**
   * What the store runs on: `db.executor`, or with --tenant (commands that read as a
   * tenant) one that runs every statement as that tenant.
   */
  readonly executor: SqlExecutor;
  /** The tenant the store reads as, when --tenant applies. */
  readonly tenant: string | undefined;
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
 * With `inTenant` (the commands that read streams and events) and --tenant or DUET_TENANT,
 * the store reads as that tenant; the other commands work across tenants and ignore it.
 *
 * @example
 * await using session = await openSession(readGlobalOptions(command), { inTenant: true });
 */
export async function openSession(
  options: GlobalOptions,
  scope: { readonly inTenant?: boolean } = {},
): Promise<Session> {
  const config = await loadConfig(options.config);
  const schema = checkSchema(schemaOf(options, config));
  const tenant = scope.inTenant === true ? options.tenant : undefined;
  const db = await openDatabase(options.target, { create: false });
  try {
    await checkMigrated(db.executor, schema);
    const executor = tenant === undefined ? db.executor : scopeToTenant(db.executor, tenant);
    const store = createPostgresEventStore({
      executor,
      schema,
      // Not strict: the CLI only reads, and must show types the config does not define.
      ...(config.events ? { events: createEventRegistry(config.events, { strict: false }) } : {}),
    });
    const close = async () => {
      await store.close();
      await db.close();
    };
    return { db, executor, tenant, schema, store, config, [Symbol.asyncDispose]: close };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
