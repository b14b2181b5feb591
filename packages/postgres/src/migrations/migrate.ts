import type { SqlExecutor } from '../executor/sql-executor.ts';
import { checkSchemaName, DEFAULT_SCHEMA, eventsChannel, quoteSchema } from '../schema-name.ts';
import { ALL_MIGRATIONS } from './all-migrations.ts';
import type { Migration } from './migration.ts';

export interface MigrateOptions {
  /** The schema to create or bring up to date (default 'duet'). */
  readonly schema?: string;
}

/**
 * Brings a schema up to date: applies each pending migration in its own transaction,
 * serialized across processes by an advisory lock on the schema's name. A second run is
 * a no-op; a run killed half-way leaves every finished migration and none of the
 * unfinished one.
 *
 * @example
 * const { applied } = await migrate(executor, { schema: 'orders' });
 * // first run: ['001-events', '002-append-events', ...]; afterwards: []
 */
export async function migrate(
  executor: SqlExecutor,
  options: MigrateOptions = {},
  migrations: readonly Migration[] = ALL_MIGRATIONS,
): Promise<{ applied: string[] }> {
  const name = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const schema = quoteSchema(name);
  const target = { schema, name, channel: eventsChannel(name) };
  const applied: string[] = [];
  for (const migration of migrations) {
    const label = `${String(migration.version).padStart(3, '0')}-${migration.name}`;
    const ran = await executor.transaction(async (tx) => {
      // Transaction-scoped, so a killed run cannot leave the lock held.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `duet.migrate.${name}`,
      ]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`,
      );
      const done = await tx.query(`SELECT 1 FROM ${schema}.migrations WHERE version = $1`, [
        migration.version,
      ]);
      if (done.rows.length > 0) return false;
      for (const statement of migration.statements(target)) await tx.query(statement);
      await tx.query(`INSERT INTO ${schema}.migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(label);
  }
  return { applied };
}
