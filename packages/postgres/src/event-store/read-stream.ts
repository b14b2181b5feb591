import {
  type ReadStreamOptions,
  type RecordedEvent,
  toStreamName,
  ValidationError,
} from '@duet/core';
import type { SqlTransaction } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { checkReadOption } from './check-read-option.ts';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.ts';
import type { ResolvedEventStoreOptions } from './postgres-event-store-options.ts';

/**
 * The page query: the versions of one page, `$2` and on in `direction`, `$3` of them.
 * Both ends of the range are the page's own (versions are contiguous from 1), so the scan
 * touches one page of the (stream, stream_version) index whatever plan is chosen. With
 * the far end open (up to the last version), PostgreSQL without statistics (a table grown
 * since its last ANALYZE; autovacuum may be off) misjudged the range as a few rows and
 * planned a scan of the rest of the stream plus a sort, on every page: O(stream) a page.
 */
export function readStreamPageSql(schema: string, direction: 'forward' | 'backward'): string {
  const range =
    direction === 'forward'
      ? 'e.stream_version >= $2::bigint AND e.stream_version < $2::bigint + $3::bigint'
      : 'e.stream_version <= $2::bigint AND e.stream_version > $2::bigint - $3::bigint';
  return `SELECT ${EVENT_COLUMNS} FROM "${schema}".events AS e
 WHERE e.tenant = ${CURRENT_TENANT_SQL} AND e.stream = $1 AND ${range}
 ORDER BY e.stream_version${direction === 'forward' ? '' : ' DESC'}
 LIMIT $3`;
}

/** Reads a forward page, versions `first` to `first + count - 1` (the store batches them). */
export type ReadForwardPage = (
  stream: string,
  first: number,
  count: number,
  signal: AbortSignal | undefined,
) => Promise<EventRow[]>;

/**
 * One stream's events in version order, a page per round trip: each page is a keyset
 * query on (stream, stream_version) that starts after the last version seen, so memory
 * stays bounded however long the stream is. Forward pages go through `forwardPage` when
 * given (the store's batches of concurrent reads), else straight to the executor.
 */
export async function* readStream(
  config: Pick<ResolvedEventStoreOptions, 'schema' | 'events' | 'pageSize'> & {
    readonly executor: Pick<SqlTransaction, 'query'>;
    readonly forwardPage?: ReadForwardPage | undefined;
  },
  stream: string,
  options: ReadStreamOptions = {},
): AsyncGenerator<RecordedEvent> {
  const subject = `read of stream ${String(stream)}`;
  toStreamName(stream);
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
  const sql = readStreamPageSql(config.schema, direction);
  // A page's range starts at a version that can exist: the stream's first, or its last
  // going backward.
  let next = forward
    ? Math.max(fromVersion ?? 1, 1)
    : Math.min(fromVersion ?? Number.MAX_SAFE_INTEGER, await headVersion(config, stream));
  const last = toVersion ?? (forward ? Number.MAX_SAFE_INTEGER : 1);
  let remaining = maxCount ?? Number.POSITIVE_INFINITY;
  while (remaining > 0 && (forward ? next <= last : next >= last)) {
    options.signal?.throwIfAborted();
    const span = forward ? last - next + 1 : next - last + 1;
    const limit = Math.min(pageSize, remaining, span);
    let rows: EventRow[];
    try {
      rows =
        forward && config.forwardPage
          ? await config.forwardPage(stream, next, limit, options.signal)
          : (await config.executor.query<EventRow>(sql, [stream, next, limit])).rows;
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

/** Where a backward read starts when no `fromVersion` is given: the stream's version (0: none). */
async function headVersion(
  config: Pick<ResolvedEventStoreOptions, 'schema'> & {
    readonly executor: Pick<SqlTransaction, 'query'>;
  },
  stream: string,
): Promise<number> {
  try {
    const { rows } = await config.executor.query<{ version: number }>(
      `SELECT s.version::integer AS version FROM "${config.schema}".streams AS s WHERE s.stream = $1`,
      [stream],
    );
    return rows[0]?.version ?? 0;
  } catch (error) {
    throw explainMissingSchema(error, config.schema);
  }
}
