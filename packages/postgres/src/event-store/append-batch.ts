import {
  type AppendResult,
  ConcurrencyError,
  DuplicateEventError,
  type Position,
  type StreamName,
} from '@duet/core';
import { makePosition } from '@duet/core/adapters';
import type { SqlTransaction } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { LateAppendError } from './late-append-error.ts';
import type { PreparedAppend } from './prepare-append.ts';

/** What became of one append of a batch: its result, or the error that is its own. */
export type AppendOutcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: Error };

/** A row of `append_events`. */
export interface OutcomeRow {
  readonly r_index: number;
  readonly r_outcome: 'ok' | 'idempotent' | 'duplicate' | 'conflict' | 'late';
  readonly r_version: number | string;
  readonly r_tx_ids: string[] | null;
  readonly r_seqs: string[] | null;
  readonly r_event_id: string | null;
}

/**
 * How the batch's transaction wakes readers: `in-transaction` calls `append_events`, which
 * NOTIFYs as part of the commit; `after-commit` calls `append_events_quiet` (migration
 * 009), and the caller notifies once the commit is done (commit-notifier.ts).
 */
export type AppendWake = 'in-transaction' | 'after-commit';

/**
 * Appends a batch in one statement (`append_events`, see 002-append-events.sql.ts): one
 * round trip, one transaction unless `tx` is inside one. Outcomes come back in the order
 * of `appends`. Throws only when the statement itself fails (then nothing was stored).
 */
export async function appendBatch(
  tx: SqlTransaction,
  schema: string,
  appends: readonly PreparedAppend[],
  wake: AppendWake,
): Promise<AppendOutcome[]> {
  const order = inStreamOrder(appends);
  const batch = `[${order.map(({ append }) => append.json).join(',')}]`;
  let rows: OutcomeRow[];
  try {
    ({ rows } = await tx.query<OutcomeRow>(
      `SELECT r_index, r_outcome, r_version, r_tx_ids, r_seqs, r_event_id
         FROM "${schema}".${wake === 'in-transaction' ? 'append_events' : 'append_events_quiet'}($1::text::jsonb)`,
      [batch],
    ));
  } catch (error) {
    throw explainMissingSchema(error, schema);
  }
  return toOutcomes(order, rows);
}

/** An append and its place in the caller's list. */
export interface PlacedAppend<A extends PreparedAppend = PreparedAppend> {
  readonly append: A;
  readonly index: number;
}

/**
 * The appends in stream order (stable): `append_events` takes stream locks in batch order,
 * so batches sorted alike lock in one order and cannot deadlock each other.
 */
export function inStreamOrder<A extends PreparedAppend>(appends: readonly A[]): PlacedAppend<A>[] {
  return appends
    .map((append, index) => ({ append, index }))
    .sort((a, b) =>
      a.append.stream < b.append.stream
        ? -1
        : a.append.stream > b.append.stream
          ? 1
          : a.index - b.index,
    );
}

/** The outcomes in the caller's order, from rows whose `r_index` is a place in `sent`. */
export function toOutcomes(
  sent: readonly PlacedAppend[],
  rows: readonly OutcomeRow[],
): AppendOutcome[] {
  const outcomes = new Array<AppendOutcome>(sent.length);
  for (const row of rows) {
    const { append, index } = sent[row.r_index]!;
    outcomes[index] = toOutcome(append, row);
  }
  return outcomes;
}

function toOutcome(append: PreparedAppend, row: OutcomeRow): AppendOutcome {
  const version = Number(row.r_version);
  switch (row.r_outcome) {
    case 'conflict':
      return { ok: false, error: new ConcurrencyError(append.stream, append.expected, version) };
    case 'late':
      return { ok: false, error: new LateAppendError(append.stream, append.expected, version) };
    case 'duplicate':
      return { ok: false, error: new DuplicateEventError(row.r_event_id ?? '', append.stream) };
    default: {
      const seqs = row.r_seqs ?? [];
      const txIds = row.r_tx_ids ?? [];
      const positions: Position[] = seqs.map((seq, i) =>
        makePosition(BigInt(txIds[i] ?? '0'), BigInt(seq)),
      );
      return {
        ok: true,
        result: {
          // prepareAppend checked the name.
          stream: append.stream as StreamName,
          streamVersion: version,
          position: positions[positions.length - 1]!,
          positions,
          // Also for 'idempotent': a retry is recognised only when it resends the stored ids
          // in their stored order.
          ids: append.ids,
        },
      };
    }
  }
}
