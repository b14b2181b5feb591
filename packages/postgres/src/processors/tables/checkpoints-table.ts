import type { Position } from '@duet/core';
import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import { checkpointsChannel } from './notify-channels.ts';

// The `checkpoints` table: one row per partition of a processor version, with where it
// is, the state its runner recorded, what it applied and why it failed. Every move of a
// position is fenced on the position it started from, so two runners on one partition
// never both move it.

type Sql = Pick<SqlTransaction, 'query'>;

/** One partition of one processor version. */
export interface PartitionKey {
  readonly name: string;
  readonly version: number;
  readonly partition: number;
}

const keyParams = (key: PartitionKey) => [key.name, key.version, key.partition];

/** The partition count a version was set up with; undefined before it was. */
export async function readPartitionCount(
  tx: Sql,
  schema: string,
  name: string,
  version: number,
): Promise<number | undefined> {
  const { rows } = await tx.query<{ partitions: number }>(
    `SELECT partitions FROM ${quoteIdentifier(schema)}.checkpoints WHERE name = $1 AND version = $2 LIMIT 1`,
    [name, version],
  );
  return rows[0]?.partitions;
}

/** A checkpoint per partition of a new version, at `position`. */
export async function insertCheckpoints(
  tx: Sql,
  schema: string,
  version: { readonly name: string; readonly version: number; readonly partitions: number },
  position: Position,
  state: 'rebuilding' | 'catching_up',
): Promise<void> {
  await tx.query(
    `INSERT INTO ${quoteIdentifier(schema)}.checkpoints (name, version, partition, partitions, position, state)
     SELECT $1, $2, p, $3, $4, $5 FROM generate_series(0, $3 - 1) AS p`,
    [version.name, version.version, version.partitions, position, state],
  );
}

/**
 * Where a worker starts: the partition's position, its state set to catching up (or left
 * rebuilding) and its error cleared, so no status says 'live' from a run long gone.
 */
export async function loadCheckpoint(
  sql: Sql,
  schema: string,
  key: PartitionKey,
): Promise<string | undefined> {
  const { rows } = await sql.query<{ position: string }>(
    `UPDATE ${quoteIdentifier(schema)}.checkpoints
        SET state = CASE WHEN state = 'rebuilding' THEN 'rebuilding' ELSE 'catching_up' END,
            error = NULL
      WHERE name = $1 AND version = $2 AND partition = $3
     RETURNING position`,
    keyParams(key),
  );
  return rows[0]?.position;
}

/**
 * Moves the checkpoint from `expected` to `end` in the batch's transaction, adds `applied`,
 * clears the error and sets the state ('live' when the batch reached the head); false
 * when the checkpoint is no longer at `expected` (another runner moved it, or a rebuild
 * reset it).
 */
export async function moveCheckpoint(
  tx: Sql,
  schema: string,
  key: PartitionKey,
  move: {
    readonly expected: Position;
    readonly end: Position;
    readonly applied: number;
    readonly caughtUp: boolean;
  },
): Promise<boolean> {
  // The NOTIFY (delivered at commit; waiters re-read the checkpoints, the payload is only a
  // hint) goes in the same statement: one round trip less per batch.
  const moved = await tx.query(
    `WITH moved AS (
       UPDATE ${quoteIdentifier(schema)}.checkpoints
          SET position = $4, applied = applied + $5, updated_at = now(), error = NULL,
              state = CASE WHEN $6 THEN 'live'
                           WHEN state = 'rebuilding' THEN 'rebuilding'
                           ELSE 'catching_up' END
        WHERE name = $1 AND version = $2 AND partition = $3 AND position = $7
       RETURNING 1
     )
     SELECT pg_notify($8, $1) FROM moved`,
    [
      ...keyParams(key),
      move.end,
      move.applied,
      move.caughtUp,
      move.expected,
      checkpointsChannel(schema),
    ],
  );
  return moved.rows.length > 0;
}

/**
 * A batch that found none of the processor's events moves its checkpoint in one
 * statement, outside any transaction: the fenced move, its NOTIFY, and the processor's
 * active version (read in the same snapshot) so the caller can tell a superseded version.
 * Nothing is applied, so nothing needs to commit with it: four round trips fewer than a
 * batch transaction, for what most wake-ups of a busy store's other processors are.
 */
export async function skipCheckpoint(
  sql: Sql,
  schema: string,
  key: PartitionKey,
  move: { readonly expected: Position; readonly end: Position; readonly caughtUp: boolean },
): Promise<{ readonly moved: boolean; readonly activeVersion: number | undefined }> {
  const s = quoteIdentifier(schema);
  const { rows } = await sql.query<{ moved: boolean; active_version: number | null }>(
    `WITH moved AS (
       UPDATE ${s}.checkpoints
          SET position = $4, updated_at = now(), error = NULL,
              state = CASE WHEN $5 THEN 'live'
                           WHEN state = 'rebuilding' THEN 'rebuilding'
                           ELSE 'catching_up' END
        WHERE name = $1 AND version = $2 AND partition = $3 AND position = $6
       RETURNING 1
     ), notified AS (
       SELECT pg_notify($7, $1) FROM moved
     )
     SELECT EXISTS (SELECT 1 FROM notified) AS moved,
            (SELECT active_version FROM ${s}.projections WHERE name = $1) AS active_version`,
    [...keyParams(key), move.end, move.caughtUp, move.expected, checkpointsChannel(schema)],
  );
  const row = rows[0];
  return { moved: row?.moved === true, activeVersion: row?.active_version ?? undefined };
}

/** The same fenced move for a switch's catch-up, which leaves the state alone. */
export async function advanceCheckpoint(
  tx: Sql,
  schema: string,
  key: PartitionKey,
  move: { readonly expected: string; readonly end: string; readonly applied: number },
): Promise<boolean> {
  const moved = await tx.query(
    `UPDATE ${quoteIdentifier(schema)}.checkpoints SET position = $4, applied = applied + $5, updated_at = now()
      WHERE name = $1 AND version = $2 AND partition = $3 AND position = $6 RETURNING 1`,
    [...keyParams(key), move.end, move.applied, move.expected],
  );
  return moved.rows.length > 0;
}

/**
 * Marks the partition live if it is still at `position`; resolves to where the checkpoint
 * is (a rebuild in any process may have reset it, and an idle worker has no batch whose
 * fenced move would tell it).
 */
export async function markLive(
  sql: Sql,
  schema: string,
  key: PartitionKey,
  position: Position,
): Promise<string | undefined> {
  const s = quoteIdentifier(schema);
  const { rows } = await sql.query<{ position: string }>(
    `WITH current AS (
       SELECT position FROM ${s}.checkpoints WHERE name = $1 AND version = $2 AND partition = $3
     ), marked AS (
       UPDATE ${s}.checkpoints SET state = 'live', updated_at = now()
        WHERE name = $1 AND version = $2 AND partition = $3 AND position = $4 AND state <> 'live'
     )
     SELECT position FROM current`,
    [...keyParams(key), position],
  );
  return rows[0]?.position;
}

/** Records that the partition stopped before the event at `position`, with why (JSON). */
export async function markFailed(
  sql: Sql,
  schema: string,
  key: PartitionKey,
  position: Position,
  failure: unknown,
): Promise<void> {
  await sql.query(
    `UPDATE ${quoteIdentifier(schema)}.checkpoints SET state = 'failed', error = $5::text::jsonb, updated_at = now()
      WHERE name = $1 AND version = $2 AND partition = $3 AND position = $4`,
    [...keyParams(key), position, JSON.stringify(failure)],
  );
}

/** Moves every partition of a version back to `from` to replay (state 'rebuilding'). */
export async function resetCheckpoints(
  tx: Sql,
  schema: string,
  name: string,
  version: number,
  from: Position,
): Promise<void> {
  await tx.query(
    `UPDATE ${quoteIdentifier(schema)}.checkpoints SET position = $3, state = 'rebuilding', applied = 0, error = NULL,
            updated_at = now()
      WHERE name = $1 AND version = $2`,
    [name, version, from],
  );
}

/** The version's checkpoints; `lock` holds them until the transaction ends. */
export async function readVersionCheckpoints(
  sql: Sql,
  schema: string,
  name: string,
  version: number,
  lock = false,
): Promise<{ position: string; state: string }[]> {
  const { rows } = await sql.query<{ position: string; state: string }>(
    `SELECT position, state FROM ${quoteIdentifier(schema)}.checkpoints WHERE name = $1 AND version = $2${lock ? ' FOR UPDATE' : ''}`,
    [name, version],
  );
  return rows;
}

/** The checkpoints of the active version and of `version`, read without locks. */
export async function readActiveAndVersionCheckpoints(
  sql: Sql,
  schema: string,
  name: string,
  version: number,
): Promise<{ version: number; position: string }[]> {
  const s = quoteIdentifier(schema);
  const { rows } = await sql.query<{ version: number; position: string }>(
    `SELECT c.version, c.position FROM ${s}.checkpoints AS c
       JOIN ${s}.projections AS p ON p.name = c.name
      WHERE c.name = $1 AND (c.version = p.active_version OR c.version = $2)`,
    [name, version],
  );
  return rows;
}

/** Per name, the slowest partition of its active version (read-your-writes). */
export async function readSlowestActiveCheckpoints(
  sql: Sql,
  schema: string,
  names: readonly string[],
): Promise<{ name: string; reached: string }[]> {
  const s = quoteIdentifier(schema);
  const { rows } = await sql.query<{ name: string; reached: string }>(
    `SELECT p.name, min(c.position) AS reached
      FROM ${s}.projections AS p
      JOIN ${s}.checkpoints AS c
        ON c.name = p.name AND c.version = p.active_version
     WHERE p.name = ANY($1::text[])
     GROUP BY p.name`,
    [names],
  );
  return rows;
}

/** Tells waiters and live queries, at commit, that `name`'s checkpoints moved (the payload is a hint). */
export async function notifyCheckpointMoved(tx: Sql, schema: string, name: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [checkpointsChannel(schema), name]);
}
