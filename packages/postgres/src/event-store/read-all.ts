import {
  isPosition,
  type ReadAllOptions,
  type RecordedEvent,
  START_POSITION,
  ValidationError,
} from '@duet/core';
import { positionParts } from '@duet/core/adapters';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { checkReadOption } from './check-read-option.ts';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.ts';
import type { ResolvedEventStoreOptions } from './postgres-event-store-options.ts';
import { readHorizonSql } from './read-horizon.ts';

/**
 * A page of the global order after ($1 transaction id, $2 sequence). Only rows below the
 * read horizon: a transaction that got its id earlier but commits later would otherwise
 * appear behind a reader that moved past it (see read-horizon.ts).
 * A category read uses the (category, tx_id, seq) index; a type filter scans the page.
 */
function readAllSql(schema: string, category: boolean, types: boolean): string {
  return `WITH horizon AS MATERIALIZED (${readHorizonSql(schema)})
SELECT ${EVENT_COLUMNS} FROM "${schema}".events AS e, horizon
 WHERE (e.tx_id, e.seq) > ($1::text::xid8, $2::text::bigint)
   AND e.tx_id < horizon.h${category ? '\n   AND e.category = $4' : ''}${types ? `\n   AND e.type = ANY($${category ? 5 : 4}::text[])` : ''}
 ORDER BY e.tx_id, e.seq
 LIMIT $3`;
}

/** Checks `readAll` / `subscribe` filters; returns them normalized. */
export function checkReadAllOptions(subject: string, options: ReadAllOptions) {
  const after = options.after ?? START_POSITION;
  if (!isPosition(after)) {
    throw new ValidationError(subject, [
      {
        path: ['after'],
        message: 'expected a position token like 00000000000002a1-0000000000000007',
      },
    ]);
  }
  const { category, types } = options;
  if (category !== undefined && (typeof category !== 'string' || category.length === 0)) {
    throw new ValidationError(subject, [
      { path: ['category'], message: 'expected a non-empty string' },
    ]);
  }
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => typeof t !== 'string'))) {
    throw new ValidationError(subject, [
      { path: ['types'], message: 'expected an array of strings' },
    ]);
  }
  return {
    after,
    category,
    types,
    maxCount: checkReadOption(subject, 'maxCount', options.maxCount, 0),
    pageSize: checkReadOption(subject, 'pageSize', options.pageSize, 1),
  };
}

/** Every committed event after a position, in (transaction id, sequence) order, a page at a time. */
export async function* readAll(
  config: Pick<ResolvedEventStoreOptions, 'executor' | 'schema' | 'events' | 'pageSize'>,
  options: ReadAllOptions = {},
): AsyncGenerator<RecordedEvent> {
  const checked = checkReadAllOptions('readAll', options);
  if (checked.types?.length === 0) return;
  const sql = readAllSql(
    config.schema,
    checked.category !== undefined,
    checked.types !== undefined,
  );
  const pageSize = checked.pageSize ?? config.pageSize;
  let after = checked.after;
  let remaining = checked.maxCount ?? Number.POSITIVE_INFINITY;
  let lookedAgain = false;
  while (remaining > 0) {
    options.signal?.throwIfAborted();
    const limit = Math.min(pageSize, remaining);
    const { transactionId, sequence } = positionParts(after);
    const params: unknown[] = [transactionId.toString(), sequence.toString(), limit];
    if (checked.category !== undefined) params.push(checked.category);
    if (checked.types !== undefined) params.push(checked.types);
    let rows: EventRow[];
    try {
      ({ rows } = await config.executor.query<EventRow>(sql, params));
    } catch (error) {
      throw explainMissingSchema(error, config.schema);
    }
    for (const row of rows) {
      const event = toRecordedEvent(row, config.events);
      after = event.position;
      yield event;
    }
    remaining -= rows.length;
    if (rows.length < limit) {
      // A transaction that finished between this statement's snapshot and its read of
      // pg_locks cannot be told from an appender, so the horizon stopped before it. One
      // more look, with a fresh snapshot, gets past it; without it an event appended just
      // before a one-shot readAll could be missing from it.
      if (lookedAgain) return;
      lookedAgain = true;
    }
  }
}
