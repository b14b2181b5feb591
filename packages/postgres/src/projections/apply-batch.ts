import type { Position, ProjectionDefinition, ProjectionTables, RecordedEvent } from '@duet/core';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { checkpointsChannel } from './runner-tables.ts';

/** The checkpoint is not where this worker left it: another runner moved it, or a rebuild reset it. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

/** A newer version of the projection is active: this one must stop. */
export class SupersededError extends Error {
  override readonly name = 'SupersededError';
}

/** One partition of one projection version, as the batch transaction sees it. */
export interface BatchTarget {
  readonly schema: string;
  readonly projection: ProjectionDefinition;
  readonly tables: ProjectionTables;
  readonly partition: number;
}

/** An event that goes to the dead-letter table instead of `apply`. */
export interface DeadLetterInput {
  readonly event: RecordedEvent;
  readonly error: string;
  readonly parked: boolean;
}

export interface Batch {
  readonly events: readonly RecordedEvent[];
  /** Where the checkpoint is now: the move is fenced on it. */
  readonly expected: Position;
  /** Where it moves (the last position the batch covered). */
  readonly end: Position;
  /** True when the batch reached the head: state becomes 'live'. */
  readonly caughtUp: boolean;
  readonly deadLetters?: readonly DeadLetterInput[];
}

/**
 * Applies one batch and moves the checkpoint in ONE transaction of the read-model
 * database, so the read model's effects happen exactly once: a crash before commit leaves
 * neither, after commit both. The checkpoint UPDATE is fenced on the position the batch
 * started from, so two runners on one partition can never both apply it. A share lock on
 * the projection's row makes a blue-green switch wait for batches in flight.
 * Resolves to the number of events `apply` got.
 */
export async function applyBatch(
  readModels: SqlExecutor,
  target: BatchTarget,
  batch: Batch,
): Promise<number> {
  const { schema, projection, tables, partition } = target;
  const s = quoteIdentifier(schema);
  return readModels.transaction(async (tx) => {
    const active = await tx.query<{ active_version: number }>(
      `SELECT active_version FROM ${s}.projections WHERE name = $1 FOR SHARE`,
      [projection.name],
    );
    const activeVersion = active.rows[0]?.active_version;
    if (activeVersion === undefined || activeVersion > projection.version) {
      throw new SupersededError(`${projection.name} version ${projection.version} is superseded`);
    }
    const deadLetters = [...(batch.deadLetters ?? [])];
    let events = batch.events;
    if (projection.onFailure === 'park' && events.length > 0) {
      const parked = await parkedStreams(tx, target, events);
      if (parked.size > 0) {
        for (const event of events) {
          if (parked.has(event.stream)) {
            deadLetters.push({ event, error: 'stream is parked', parked: true });
          }
        }
        events = events.filter((event) => !parked.has(event.stream));
      }
    }
    if (events.length > 0) await projection.apply(tx, events, tables);
    if (deadLetters.length > 0) await insertDeadLetters(tx, target, deadLetters);
    const moved = await tx.query(
      `UPDATE ${s}.checkpoints
          SET position = $4, applied = applied + $5, updated_at = now(), error = NULL,
              state = CASE WHEN $6 THEN 'live'
                           WHEN state = 'rebuilding' THEN 'rebuilding'
                           ELSE 'catching_up' END
        WHERE name = $1 AND version = $2 AND partition = $3 AND position = $7
       RETURNING 1`,
      [
        projection.name,
        projection.version,
        partition,
        batch.end,
        events.length,
        batch.caughtUp,
        batch.expected,
      ],
    );
    if (moved.rows.length === 0) {
      throw new CheckpointMovedError(
        `${projection.name} v${projection.version} partition ${partition}: checkpoint moved away from ${batch.expected}`,
      );
    }
    // Delivered at commit: waiters re-read the checkpoints, so the payload is only a hint.
    await tx.query('SELECT pg_notify($1, $2)', [checkpointsChannel(schema), projection.name]);
    return events.length;
  });
}

async function parkedStreams(
  tx: SqlTransaction,
  target: BatchTarget,
  events: readonly RecordedEvent[],
): Promise<Set<string>> {
  const streams = [...new Set(events.map((event) => event.stream))];
  const { rows } = await tx.query<{ stream: string }>(
    `SELECT DISTINCT stream FROM ${quoteIdentifier(target.schema)}.dead_letters
      WHERE name = $1 AND version = $2 AND parked AND stream = ANY($3::text[])`,
    [target.projection.name, target.projection.version, streams],
  );
  return new Set(rows.map((row) => row.stream));
}

/** Writes dead letters in the batch's transaction: one multi-row INSERT. */
export async function insertDeadLetters(
  tx: SqlTransaction,
  target: BatchTarget,
  letters: readonly DeadLetterInput[],
): Promise<void> {
  const rows = letters.map(({ event, error, parked }) => ({
    position: event.position,
    event_id: event.id,
    stream: event.stream,
    type: event.type,
    event,
    error,
    parked,
  }));
  await tx.query(
    `INSERT INTO ${quoteIdentifier(target.schema)}.dead_letters
       (name, version, partition, position, event_id, stream, type, event, error, parked)
     SELECT $1, $2, $3, x.position, x.event_id, x.stream, x.type, x.event, x.error, x.parked
       FROM jsonb_to_recordset($4::text::jsonb)
         AS x(position text, event_id text, stream text, type text, event jsonb, error text, parked boolean)`,
    [target.projection.name, target.projection.version, target.partition, JSON.stringify(rows)],
  );
}
