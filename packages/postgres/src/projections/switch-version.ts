import type { ProjectionDefinition } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { checkpointsChannel } from './runner-tables.ts';

/**
 * The blue-green switch: makes a newer version the one queries read, with one UPDATE of
 * the projection's row, once every partition of it has caught up. It locks the active
 * version's checkpoints first, so the old version cannot move on meanwhile, and switches
 * only when the new version has reached where the old one stands: a query that waited for
 * a position on the old version still finds it on the new one. Resolves to true when the
 * version is active (now or already); false means "not yet, try after the next batch".
 */
export async function switchVersion(
  readModels: SqlExecutor,
  schema: string,
  projection: ProjectionDefinition,
): Promise<boolean> {
  const s = quoteIdentifier(schema);
  const { name, version } = projection;
  return readModels.transaction(async (tx) => {
    const active = await tx.query<{ active_version: number }>(
      `SELECT active_version FROM ${s}.projections WHERE name = $1 FOR UPDATE`,
      [name],
    );
    const activeVersion = active.rows[0]?.active_version;
    if (activeVersion === undefined || activeVersion > version) return false;
    if (activeVersion === version) return true;
    const old = await tx.query<{ position: string }>(
      `SELECT position FROM ${s}.checkpoints WHERE name = $1 AND version = $2 FOR UPDATE`,
      [name, activeVersion],
    );
    const fresh = await tx.query<{ position: string; state: string }>(
      `SELECT position, state FROM ${s}.checkpoints WHERE name = $1 AND version = $2`,
      [name, version],
    );
    // Position tokens sort as text.
    const oldMax =
      old.rows
        .map((row) => row.position)
        .sort()
        .at(-1) ?? '';
    const ready =
      fresh.rows.length === projection.partitions &&
      fresh.rows.every((row) => row.state === 'live' && row.position >= oldMax);
    if (!ready) return false;
    await tx.query(
      `UPDATE ${s}.projections SET active_version = $2, switched_at = now() WHERE name = $1`,
      [name, version],
    );
    await tx.query('SELECT pg_notify($1, $2)', [checkpointsChannel(schema), name]);
    return true;
  });
}
