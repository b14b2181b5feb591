import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import { deleteOlderVersions } from '../tables/older-versions.ts';
import { readActiveVersion } from '../tables/registry-table.ts';

/** `<name>_v<version>__...`: the version of one of a projection's tables. */
function versionOf(name: string, table: string): number | null {
  const rest = table.slice(name.length);
  const match = /^_v(\d+)__/.exec(rest);
  return table.startsWith(name) && match ? Number(match[1]) : null;
}

/**
 * Drops the tables, checkpoints, owner records, dead letters and inbox rows of a processor's versions other than
 * the active one, in one transaction. Runs after a blue-green switch (after a grace
 * period, so queries that resolved the old version can finish) and at start-up (a crash
 * between switch and drop leaves them behind).
 */
export async function dropOldVersions(
  readModels: SqlExecutor,
  schema: string,
  readModelSchema: string,
  name: string,
): Promise<number[]> {
  return readModels.transaction(async (tx) => {
    const activeVersion = await readActiveVersion(tx, schema, name, 'update');
    if (activeVersion === undefined) return [];
    const { rows } = await tx.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND starts_with(tablename, $2)`,
      [readModelSchema, `${name}_v`],
    );
    const dropped = new Set<number>();
    for (const { tablename } of rows) {
      const version = versionOf(name, tablename);
      if (version === null || version >= activeVersion) continue;
      await tx.query(
        `DROP TABLE IF EXISTS ${quoteIdentifier(readModelSchema)}.${quoteIdentifier(tablename)} CASCADE`,
      );
      dropped.add(version);
    }
    await deleteOlderVersions(tx, schema, name, activeVersion);
    return [...dropped].sort((a, b) => a - b);
  });
}
