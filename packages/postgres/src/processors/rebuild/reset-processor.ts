import { type Position, type ProcessorDefinition, START_POSITION } from '@duet/core';
import { makePosition } from '@duet/core/adapters';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { projectionTables } from '../../read-models/projection-tables.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import { notifyCheckpointMoved, resetCheckpoints } from '../tables/checkpoints-table.ts';
import { deleteVersionDeadLetters } from '../tables/dead-letters-table.ts';
import { takeRebuildRequest } from '../tables/rebuild-requests-table.ts';
import { lockProcessorNames } from '../tables/registry-table.ts';

/**
 * The position just before the first event recorded at or after `time`: replaying from it
 * replays everything from that moment on.
 */
export async function positionBefore(
  storeExecutor: SqlExecutor,
  storeSchema: string,
  time: Date,
): Promise<Position> {
  const { rows } = await storeExecutor.query<{ tx_id: string; seq: string }>(
    `SELECT e.tx_id::text AS tx_id, e.seq::text AS seq FROM ${quoteIdentifier(storeSchema)}.events AS e
      WHERE e.recorded_at < $1::timestamptz
      ORDER BY e.tx_id DESC, e.seq DESC LIMIT 1`,
    [time.toISOString()],
  );
  const row = rows[0];
  return row ? makePosition(BigInt(row.tx_id), BigInt(row.seq)) : START_POSITION;
}

/**
 * Resets a projection version in place, in one transaction: drops its tables, runs its
 * `setup` again, moves every partition's checkpoint to `from` (state 'rebuilding') and
 * clears its dead letters. A reactor's inbox stays: replaying it skips the events it
 * already handled (their effects happened), and a relay publishes again (the broker drops
 * what it still remembers by event id). Runners pick the new checkpoint up (their next move is fenced
 * on the old one, and idle workers notice at their next poll) and replay from there.
 * With `request`, the rebuild request is taken in the same transaction; resolves to false
 * (and resets nothing) when it is gone or another runner has it.
 */
export async function resetProjection(
  readModels: SqlExecutor,
  schema: string,
  readModelSchema: string,
  projection: ProcessorDefinition,
  from: Position,
  request?: { readonly id: string; readonly owner: string },
): Promise<boolean> {
  const { name, version } = projection;
  const tables = projectionTables(readModelSchema, name, version);
  return readModels.transaction(async (tx) => {
    if (request && !(await takeRebuildRequest(tx, schema, request.id, request.owner))) {
      return false;
    }
    // Waits for batches in flight (they hold a share lock on this row) and holds new ones.
    await lockProcessorNames(tx, schema, [name]);
    const { rows } = await tx.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND starts_with(tablename, $2)`,
      [readModelSchema, tables.prefix],
    );
    for (const { tablename } of rows) {
      await tx.query(
        `DROP TABLE IF EXISTS ${quoteIdentifier(readModelSchema)}.${quoteIdentifier(tablename)} CASCADE`,
      );
    }
    if (projection.kind === 'projection') await projection.setup(tx, tables);
    await resetCheckpoints(tx, schema, name, version, from);
    await deleteVersionDeadLetters(tx, schema, name, version);
    await notifyCheckpointMoved(tx, schema, name);
    return true;
  });
}
