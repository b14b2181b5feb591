import type { RecordedEvent } from '@duet/core';
import { asStoredEvent } from '@duet/core/adapters';
import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';
import type { PartitionKey } from './checkpoints-table.ts';

// The `dead_letters` table: events a processor could not take under its 'skip' or 'park'
// policy, with the error; a parked one also holds its stream's later events back.

type Sql = Pick<SqlTransaction, 'query'>;

/** A dead letter as stored. */
export interface DeadLetterRow {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  readonly event: RecordedEvent;
  readonly error: string;
  readonly parked: boolean;
  readonly created_at: string;
}

/** An event to dead-letter, with why. */
export interface DeadLetterInput {
  readonly event: RecordedEvent;
  readonly error: string;
  readonly parked: boolean;
}

// Selected from `dead_letters AS d`; ordering by d.id (the bigint), not the text alias.
const columns = `d.id::text AS id, d.name, d.version, d.partition, d.event, d.error, d.parked,
  to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

/** Of `streams`, those a version has parked. */
export async function readParkedStreams(
  sql: Sql,
  schema: string,
  processor: { readonly name: string; readonly version: number },
  streams: readonly string[],
): Promise<Set<string>> {
  const { rows } = await sql.query<{ stream: string }>(
    `SELECT DISTINCT stream FROM ${quoteIdentifier(schema)}.dead_letters
      WHERE name = $1 AND version = $2 AND parked AND stream = ANY($3::text[])`,
    [processor.name, processor.version, streams],
  );
  return new Set(rows.map((row) => row.stream));
}

/** Writes dead letters in the batch's transaction: one multi-row INSERT. */
export async function insertDeadLetters(
  tx: Sql,
  schema: string,
  key: PartitionKey,
  letters: readonly DeadLetterInput[],
): Promise<void> {
  const rows = letters.map(({ event, error, parked }) => ({
    position: event.position,
    event_id: event.id,
    stream: event.stream,
    type: event.type,
    // Personal fields as the store holds them, sealed: a dead letter must not keep plain
    // text that forgetting the subject cannot reach.
    event: asStoredEvent(event),
    error,
    parked,
  }));
  await tx.query(
    `INSERT INTO ${quoteIdentifier(schema)}.dead_letters
       (name, version, partition, position, event_id, stream, type, event, error, parked)
     SELECT $1, $2, $3, x.position, x.event_id, x.stream, x.type, x.event, x.error, x.parked
       FROM jsonb_to_recordset($4::text::jsonb)
         AS x(position text, event_id text, stream text, type text, event jsonb, error text, parked boolean)`,
    [key.name, key.version, key.partition, JSON.stringify(rows)],
  );
}

/** Dead letters in the order they were written, of one name or all. */
export async function listDeadLetters(
  sql: Sql,
  schema: string,
  name: string | undefined,
): Promise<DeadLetterRow[]> {
  const { rows } = await sql.query<DeadLetterRow>(
    `SELECT ${columns} FROM ${quoteIdentifier(schema)}.dead_letters AS d
      WHERE $1::text IS NULL OR d.name = $1 ORDER BY d.id`,
    [name ?? null],
  );
  return rows;
}

/** One dead letter by id, or all of a name, in order, locked until the transaction ends. */
export async function lockDeadLetters(
  tx: Sql,
  schema: string,
  idOrName: string,
): Promise<DeadLetterRow[]> {
  const byId = /^\d+$/.test(idOrName);
  const { rows } = await tx.query<DeadLetterRow>(
    `SELECT ${columns} FROM ${quoteIdentifier(schema)}.dead_letters AS d
      WHERE ${byId ? 'd.id = $1::bigint' : 'd.name = $1'} ORDER BY d.id FOR UPDATE`,
    [idOrName],
  );
  return rows;
}

/** Removes dead letters by id. */
export async function deleteDeadLetters(
  tx: Sql,
  schema: string,
  ids: readonly string[],
): Promise<void> {
  await tx.query(
    `DELETE FROM ${quoteIdentifier(schema)}.dead_letters WHERE id = ANY($1::bigint[])`,
    [ids],
  );
}

/** Removes every dead letter of a version (a rebuild replays those events). */
export async function deleteVersionDeadLetters(
  tx: Sql,
  schema: string,
  name: string,
  version: number,
): Promise<void> {
  await tx.query(
    `DELETE FROM ${quoteIdentifier(schema)}.dead_letters WHERE name = $1 AND version = $2`,
    [name, version],
  );
}
