import { ValidationError } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';

/** One stream as `listStreams` reports it. */
export interface StreamSummary {
  readonly stream: string;
  /** The part of the name before the first `-` (core's `categoryOf`). */
  readonly category: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Where a page ends: the next page starts strictly after (older than) it. Opaque to callers
 * beyond passing it back; `createdAtMicros` keeps the database's full precision, which a
 * JavaScript Date would cut to milliseconds and so lose ties.
 */
export interface StreamCursor {
  readonly createdAtMicros: string;
  readonly stream: string;
}

export interface ListStreamsOptions {
  /** Only streams whose name starts with this. */
  readonly prefix?: string;
  /** Only streams of this category. */
  readonly category?: string;
  /** The `next` cursor of the previous page. */
  readonly before?: StreamCursor;
  /** Streams per page, 1 to 1,000. */
  readonly limit: number;
}

export interface StreamList {
  readonly streams: StreamSummary[];
  /** The cursor of the next page, or null on the last one. */
  readonly next: StreamCursor | null;
}

interface Row {
  readonly stream: string;
  readonly version: number;
  readonly created_at: Date | string;
  readonly updated_at: Date | string;
  readonly created_us: string;
}

// Keyset paging, newest first, on (created_at, stream): both are fixed once a stream
// exists, so a page never repeats or skips a stream while others are appended. The cursor
// time is rebuilt exactly from whole microseconds (no float on the way). The current
// tenant's streams only, as readStream reads them: the system scope sees tenant ''s, so
// two tenants' streams of one name never meet in a page.
const listSql = (schema: string) => `SELECT s.stream, s.version::integer AS version,
       s.created_at, s.updated_at,
       (extract(epoch FROM s.created_at) * 1000000)::bigint::text AS created_us
  FROM "${schema}".streams AS s
 WHERE s.tenant = ${CURRENT_TENANT_SQL}
   AND ($1::text IS NULL OR starts_with(s.stream, $1::text))
   AND ($2::text IS NULL OR split_part(s.stream, '-', 1) = $2::text)
   AND ($3::bigint IS NULL
        OR (s.created_at, s.stream) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::text))
 ORDER BY s.created_at DESC, s.stream DESC
 LIMIT $5`;

function check(options: ListStreamsOptions): void {
  const issues: { path: string[]; message: string }[] = [];
  if (!Number.isSafeInteger(options.limit) || options.limit < 1 || options.limit > 1000) {
    issues.push({ path: ['limit'], message: 'expected a whole number from 1 to 1000' });
  }
  const before = options.before;
  if (
    before !== undefined &&
    (!/^-?\d{1,19}$/.test(before.createdAtMicros) || typeof before.stream !== 'string')
  ) {
    issues.push({ path: ['before'], message: 'expected a cursor from an earlier page' });
  }
  for (const key of ['prefix', 'category'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.includes('\0'))) {
      issues.push({ path: [key], message: 'expected text without NUL' });
    }
  }
  if (issues.length > 0) throw new ValidationError('list streams options', issues);
}

/**
 * One page of a store's streams, newest first, optionally by name prefix or category.
 *
 * @example
 * const page = await listStreams(executor, 'orders', { category: 'order', limit: 50 });
 * const more = page.next && (await listStreams(executor, 'orders', { category: 'order', before: page.next, limit: 50 }));
 */
export async function listStreams(
  executor: SqlExecutor,
  schema: string,
  options: ListStreamsOptions,
): Promise<StreamList> {
  check(options);
  const { before } = options;
  try {
    const { rows } = await executor.query<Row>(listSql(schema), [
      options.prefix ?? null,
      options.category ?? null,
      before?.createdAtMicros ?? null,
      before?.stream ?? null,
      options.limit + 1,
    ]);
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      streams: page.map((row) => ({
        stream: row.stream,
        category: row.stream.split('-', 1)[0] ?? row.stream,
        version: Number(row.version),
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
      })),
      next:
        rows.length > options.limit && last
          ? { createdAtMicros: last.created_us, stream: last.stream }
          : null,
    };
  } catch (error) {
    throw explainMissingSchema(error, schema);
  }
}
