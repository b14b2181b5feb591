import { type ReadStreamOptions, type RecordedEvent, ValidationError } from '@duet/core';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { checkReadOption } from './check-read-option.ts';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.ts';
import type { ResolvedEventStoreOptions } from './postgres-event-store-options.ts';

const forwardSql = (schema: string) => `SELECT ${EVENT_COLUMNS} FROM "${schema}".events AS e
 WHERE e.stream = $1 AND e.stream_version >= $2 AND e.stream_version <= $3
 ORDER BY e.stream_version
 LIMIT $4`;

const backwardSql = (schema: string) => `SELECT ${EVENT_COLUMNS} FROM "${schema}".events AS e
 WHERE e.stream = $1 AND e.stream_version <= $2 AND e.stream_version >= $3
 ORDER BY e.stream_version DESC
 LIMIT $4`;

/**
 * One stream's events in version order, a page per round trip: each page is a keyset
 * query on (stream, stream_version) that starts after the last version seen, so memory
 * stays bounded however long the stream is.
 */
export async function* readStream(
  config: Pick<ResolvedEventStoreOptions, 'executor' | 'schema' | 'events' | 'pageSize'>,
  stream: string,
  options: ReadStreamOptions = {},
): AsyncGenerator<RecordedEvent> {
  const subject = `read of stream ${String(stream)}`;
  if (typeof stream !== 'string' || stream.length === 0) {
    throw new ValidationError(subject, [{ path: ['stream'], message: 'expected a stream name' }]);
  }
  const direction = options.direction ?? 'forward';
  if (direction !== 'forward' && direction !== 'backward') {
    throw new ValidationError(subject, [
      { path: ['direction'], message: "expected 'forward' or 'backward'" },
    ]);
  }
  const fromVersion = checkReadOption(subject, 'fromVersion', options.fromVersion, 0);
  const toVersion = checkReadOption(subject, 'toVersion', options.toVersion, 0);
  const maxCount = checkReadOption(subject, 'maxCount', options.maxCount, 0);
  const pageSize = checkReadOption(subject, 'pageSize', options.pageSize, 1) ?? config.pageSize;
  const forward = direction === 'forward';
  const sql = forward ? forwardSql(config.schema) : backwardSql(config.schema);
  let next = fromVersion ?? (forward ? 1 : Number.MAX_SAFE_INTEGER);
  const last = toVersion ?? (forward ? Number.MAX_SAFE_INTEGER : 1);
  let remaining = maxCount ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    options.signal?.throwIfAborted();
    const limit = Math.min(pageSize, remaining);
    let rows: EventRow[];
    try {
      ({ rows } = await config.executor.query<EventRow>(sql, [stream, next, last, limit]));
    } catch (error) {
      throw explainMissingSchema(error, config.schema);
    }
    for (const row of rows) yield toRecordedEvent(row, config.events);
    remaining -= rows.length;
    const tail = rows[rows.length - 1];
    if (rows.length < limit || !tail) return;
    next = forward ? tail.stream_version + 1 : tail.stream_version - 1;
  }
}
