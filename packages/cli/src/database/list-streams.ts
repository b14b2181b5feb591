import { CURRENT_TENANT_SQL, type SqlExecutor } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/** One row of `streams list`. */
export interface StreamSummary {
  readonly stream: string;
  readonly category: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A page of streams and the cursor of the next page (null on the last one). */
export interface StreamPage {
  readonly streams: StreamSummary[];
  readonly nextCursor: string | null;
}

interface StreamRow {
  readonly stream: string;
  readonly version: number;
  readonly created_at: Date | string;
  readonly updated_at: Date | string;
}

// Keyset paging on the streams table's primary key: a page starts after the last stream
// name of the previous one, so pages stay stable while streams are added. The category is
// the part before the first '-', as core's categoryOf says (split_part gives exactly it).
// The tenant's streams only (--tenant, else tenant ''), as `streams show` reads them.
const pageSql = (
  schema: string,
  category: boolean,
) => `SELECT s.stream, s.version::integer AS version, s.created_at, s.updated_at
  FROM "${schema}".streams AS s
 WHERE s.tenant = ${CURRENT_TENANT_SQL}
   AND ($1::text IS NULL OR s.stream > $1)${category ? `\n   AND split_part(s.stream, '-', 1) = $3` : ''}
 ORDER BY s.stream
 LIMIT $2`;

/** The cursor a client passes back: the last stream name of a page, base64url-encoded. */
export function encodeCursor(stream: string): string {
  return Buffer.from(stream, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const stream = Buffer.from(cursor, 'base64url').toString('utf8');
  if (stream.length === 0 || encodeCursor(stream) !== cursor) {
    throw new CliError(
      ExitCode.usage,
      `--after ${JSON.stringify(cursor)} is not a cursor from an earlier page`,
    );
  }
  return stream;
}

/**
 * One page of streams in name order, optionally of one category.
 *
 * @example
 * const { streams, nextCursor } = await listStreams(executor, 'duet', { limit: 50 });
 */
export async function listStreams(
  executor: SqlExecutor,
  schema: string,
  options: { readonly category?: string; readonly limit: number; readonly after?: string },
): Promise<StreamPage> {
  const after = options.after === undefined ? null : decodeCursor(options.after);
  const params: unknown[] = [after, options.limit + 1];
  if (options.category !== undefined) params.push(options.category);
  const { rows } = await executor.query<StreamRow>(
    pageSql(schema, options.category !== undefined),
    params,
  );
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
    nextCursor: rows.length > options.limit && last ? encodeCursor(last.stream) : null,
  };
}
