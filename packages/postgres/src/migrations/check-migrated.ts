import type { SqlExecutor } from '../executor/sql-executor.ts';
import { NotMigratedError } from '../not-migrated-error.ts';
import { quoteSchema } from '../schema-name.ts';
import { MIGRATION_SETS, type MigrationSetName, migrationLabel } from './migration-set.ts';

/**
 * Throws `NotMigratedError` (saying what to run) unless every migration of the set has
 * been applied to `schema`: a processor runner checks its tables this way at start, so an
 * unmigrated read-model database fails at once instead of at the first batch.
 *
 * @example
 * await checkMigrated(readModels, 'duet_projections', 'processors');
 */
export async function checkMigrated(
  executor: SqlExecutor,
  schema: string,
  setName: MigrationSetName,
): Promise<void> {
  const set = MIGRATION_SETS[setName];
  const { rows } = await executor.query<{ ledger: string | null }>(
    'SELECT to_regclass($1)::text AS ledger',
    [`${quoteSchema(schema)}.${set.ledger}`],
  );
  if (!rows[0]?.ledger) throw new NotMigratedError(schema, undefined, setName);
  const applied = await executor.query<{ version: number }>(
    `SELECT version FROM ${quoteSchema(schema)}.${set.ledger}`,
  );
  const done = new Set(applied.rows.map((row) => Number(row.version)));
  const pending = set.migrations.filter((migration) => !done.has(migration.version));
  if (pending.length > 0) {
    throw new NotMigratedError(schema, undefined, setName, pending.map(migrationLabel));
  }
}
