import type { Position, ProcessorDefinition, ProjectionTables, RecordedEvent } from '@duet/core';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { checkpointsChannel } from './notify-channels.ts';
import { handleWithInbox } from './reactor-inbox.ts';

/** The checkpoint is not where this worker left it: another runner moved it, or a rebuild reset it. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

/** A newer version of the processor is active: this one must stop. */
export class SupersededError extends Error {
  override readonly name = 'SupersededError';
}

/** One partition of one processor version, as the batch transaction sees it. */
export interface BatchTarget {
  readonly schema: string;
  readonly processor: ProcessorDefinition;
  readonly tables: ProjectionTables;
  readonly partition: number;
}

/** An event that goes to the dead-letter table instead of the processor's handler. */
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
 * Hands one batch to the processor's sink and moves the checkpoint in ONE transaction of
 * the read-model database, so its effects happen exactly once: a crash before commit
 * leaves neither, after commit both. The sinks: a projection's `apply`; a reactor's
 * `handle` per event not yet in its inbox (`handleWithInbox`); a relay's `publish`, which
 * runs BEFORE the transaction, so the checkpoint moves only after the broker's acks (a
 * crash in between publishes again, and the broker drops the duplicates by event id), and
 * no transaction stays open across the network (on PGlite it would hold the process's one
 * connection). The checkpoint UPDATE is fenced on the position the batch started from, so
 * two runners on one partition can never both commit it. A share lock on the processor's
 * row makes a blue-green switch wait for batches in flight. Resolves to the number of
 * events the sink got.
 */
export async function applyBatch(
  readModels: SqlExecutor,
  target: BatchTarget,
  batch: Batch,
  signal: AbortSignal,
): Promise<number> {
  const { schema, processor, tables, partition } = target;
  const s = quoteIdentifier(schema);
  const parkedBefore =
    processor.kind === 'relay' ? await publishUnparked(readModels, target, batch, signal) : null;
  return readModels.transaction(async (tx) => {
    const active = await tx.query<{ active_version: number }>(
      `SELECT active_version FROM ${s}.projections WHERE name = $1 FOR SHARE`,
      [processor.name],
    );
    const activeVersion = active.rows[0]?.active_version;
    if (activeVersion === undefined || activeVersion > processor.version) {
      throw new SupersededError(`${processor.name} version ${processor.version} is superseded`);
    }
    const deadLetters = [...(batch.deadLetters ?? [])];
    let events = batch.events;
    const parked =
      parkedBefore ??
      (processor.onFailure === 'park' ? await parkedStreams(tx, target, events) : null);
    if (parked && parked.size > 0) {
      for (const event of events) {
        if (parked.has(event.stream)) {
          deadLetters.push({ event, error: 'stream is parked', parked: true });
        }
      }
      events = events.filter((event) => !parked.has(event.stream));
    }
    if (events.length > 0) {
      if (processor.kind === 'projection') await processor.apply(tx, events, tables);
      if (processor.kind === 'reactor')
        await handleWithInbox(tx, schema, processor, events, signal);
    }
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
        processor.name,
        processor.version,
        partition,
        batch.end,
        events.length,
        batch.caughtUp,
        batch.expected,
      ],
    );
    if (moved.rows.length === 0) {
      throw new CheckpointMovedError(
        `${processor.name} v${processor.version} partition ${partition}: checkpoint moved away from ${batch.expected}`,
      );
    }
    // Delivered at commit: waiters re-read the checkpoints, so the payload is only a hint.
    await tx.query('SELECT pg_notify($1, $2)', [checkpointsChannel(schema), processor.name]);
    return events.length;
  });
}

/** A relay's publish, minus parked streams' events; resolves to the parked streams. */
async function publishUnparked(
  readModels: SqlExecutor,
  target: BatchTarget,
  batch: Batch,
  signal: AbortSignal,
): Promise<Set<string>> {
  const { processor } = target;
  if (processor.kind !== 'relay') return new Set();
  const parked =
    processor.onFailure === 'park'
      ? await parkedStreams(readModels, target, batch.events)
      : new Set<string>();
  const events = batch.events.filter((event) => !parked.has(event.stream));
  if (events.length > 0) await processor.publish(events, { signal });
  return parked;
}

async function parkedStreams(
  tx: Pick<SqlTransaction, 'query'>,
  target: BatchTarget,
  events: readonly RecordedEvent[],
): Promise<Set<string>> {
  const streams = [...new Set(events.map((event) => event.stream))];
  const { rows } = await tx.query<{ stream: string }>(
    `SELECT DISTINCT stream FROM ${quoteIdentifier(target.schema)}.dead_letters
      WHERE name = $1 AND version = $2 AND parked AND stream = ANY($3::text[])`,
    [target.processor.name, target.processor.version, streams],
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
    [target.processor.name, target.processor.version, target.partition, JSON.stringify(rows)],
  );
}
