import { appendExclusionSql } from '../event-store/read-horizon.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { failOption } from '../options/option-checks.ts';
import { checkSchemaName, eventsChannel, quoteSchema } from '../schema-name.ts';
import type { Migration } from './migration.ts';
import { MIGRATION_SETS, type MigrationSetName, migrationLabel } from './migration-set.ts';
import { withSchemaLock } from './with-schema-lock.ts';

export interface MigrateOptions {
  /**
   * The schema to create or bring up to date (default 'duet' for the store's set,
   * 'duet_projections' for the processors' set).
   */
  readonly schema?: string;
  /**
   * Which tables: the event store's (default), or `'processors'`: the processor runner's,
   * in the read-model database (a runner refuses to start without them); or
   * `'personal-data'`: the key table of `createPostgresPersonalDataKeys`.
   */
  readonly set?: MigrationSetName;
}

/**
 * Brings a schema up to date: applies each pending migration in its own transaction,
 * serialized across processes by an advisory lock on the schema's name. A second run is
 * a no-op; a run killed half-way leaves every finished migration and none of the
 * unfinished one. While a store migration runs, appends to the schema wait for it (it
 * takes the append lock exclusively, so its table locks cannot deadlock with theirs); a
 * run with nothing to apply does not hold them up. Each set records what ran in a table of its own (`migrations`,
 * `processor_migrations`); a schema holds one set, and migrating the other set into it
 * throws `ValidationError` before changing anything.
 *
 * @example
 * const { applied } = await migrate(executor, { schema: 'orders' });
 * // first run: ['001-events', '002-append-events', ...]; afterwards: []
 * await migrate(readModels, { set: 'processors' }); // the runner's tables, in 'duet_projections'
 */
export async function migrate(
  executor: SqlExecutor,
  options: MigrateOptions = {},
  migrations?: readonly Migration[],
): Promise<{ applied: string[] }> {
  const set = MIGRATION_SETS[options.set ?? 'store'];
  if (!set) failOption('set', "expected 'store', 'processors' or 'personal-data'");
  const name = checkSchemaName(options.schema ?? set.defaultSchema);
  const ledger = `${quoteSchema(name)}.${set.ledger}`;
  const schema = quoteSchema(name);
  await refuseOtherSet(executor, name, set.name);
  const target = { schema, name, channel: eventsChannel(name) };
  const applied: string[] = [];
  for (const migration of migrations ?? set.migrations) {
    const label = migrationLabel(migration);
    const ran = await withSchemaLock(executor, name, async (tx) => {
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${ledger} (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`,
      );
      const done = await tx.query(`SELECT 1 FROM ${ledger} WHERE version = $1`, [
        migration.version,
      ]);
      if (done.rows.length > 0) return false;
      // Appends wait while the store's tables change; a migrate() with nothing to apply
      // (every app start) never holds them up.
      if (set.name === 'store') await tx.query(appendExclusionSql(name));
      for (const statement of migration.statements(target)) await tx.query(statement);
      await tx.query(`INSERT INTO ${ledger} (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(label);
  }
  return { applied };
}

/** A schema holds one set: the store's and the processors' tables share names. */
async function refuseOtherSet(
  executor: SqlExecutor,
  schema: string,
  setName: MigrationSetName,
): Promise<void> {
  for (const other of Object.values(MIGRATION_SETS)) {
    if (other.name === setName) continue;
    const { rows } = await executor.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      [`${quoteSchema(schema)}.${other.ledger}`],
    );
    if (rows[0]?.found) {
      failOption(
        'schema',
        `${schema} holds the ${other.name}' tables; the ${setName}' tables need a schema of their own`,
      );
    }
  }
}
