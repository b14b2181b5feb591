import { ALL_MIGRATIONS, type SqlExecutor } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/**
 * Fails with exit code 5 (not migrated) unless every migration this CLI knows has been
 * applied to `schema`, so a command never half-works on an old or empty schema.
 */
export async function checkMigrated(executor: SqlExecutor, schema: string): Promise<void> {
  const { rows } = await executor.query<{ present: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [`"${schema}".migrations`],
  );
  const hint = `run: duet migrate --schema ${schema}`;
  if (rows[0]?.present !== true) {
    throw new CliError(ExitCode.notMigrated, `schema ${schema} has no Duet tables`, hint);
  }
  const applied = await executor.query<{ version: number }>(
    `SELECT version FROM "${schema}".migrations`,
  );
  const done = new Set(applied.rows.map((row) => Number(row.version)));
  const pending = ALL_MIGRATIONS.filter((migration) => !done.has(migration.version));
  if (pending.length > 0) {
    const names = pending.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`);
    throw new CliError(
      ExitCode.notMigrated,
      `schema ${schema} is behind: ${names.join(', ')} not applied`,
      hint,
    );
  }
}
