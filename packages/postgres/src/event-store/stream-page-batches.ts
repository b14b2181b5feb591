import type { SqlExecutor } from '../executor/sql-executor.ts';
import { CURRENT_TENANT_SQL } from '../executor/tenant-isolated-executor.ts';
import { type BatchQueue, createBatchQueue } from './batch-queue.ts';
import { EVENT_COLUMNS, type EventRow } from './event-row.ts';
import type { ReadBatchOptions } from './postgres-event-store-options.ts';
import { readStreamPageSql } from './read-stream.ts';

/** A forward page of one stream: versions `first` to `first + count - 1`. */
export interface StreamPageRequest {
  readonly stream: string;
  readonly first: number;
  readonly count: number;
}

/** Below this many queued reads, a second batch waits for the running one. */
const minQueueToOverlap = 16;

/**
 * The pages of several streams in one statement: a lateral scan of the (tenant, stream,
 * stream_version) index per requested page, each with its own range and limit, the rows
 * tagged with the page's place in the arrays ($1 streams, $2 first versions, $3 counts).
 */
export function streamPagesSql(schema: string): string {
  return `SELECT r.n::integer AS n, ${EVENT_COLUMNS}
  FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS r(stream, first, count, n)
  CROSS JOIN LATERAL (
    SELECT * FROM "${schema}".events AS x
     WHERE x.tenant = ${CURRENT_TENANT_SQL} AND x.stream = r.stream
       AND x.stream_version >= r.first AND x.stream_version < r.first + r.count
     ORDER BY x.stream_version LIMIT r.count) AS e
 ORDER BY r.n, e.stream_version`;
}

/**
 * Reads the forward pages that concurrent callers ask for together, one statement per
 * batch: 64 commands loading their streams at once cost one round trip, not 64 (issue 14:
 * the command path was bound by the client's CPU per statement). A page asked for alone
 * runs as readStream's own one-stream query. Run it in the scope whose tenant the rows
 * belong to: the statement reads as the executor's current scope.
 */
export function createStreamPageBatches(
  executor: Pick<SqlExecutor, 'query'>,
  schema: string,
  options: Required<ReadBatchOptions>,
  inScope: <T>(fn: () => Promise<T>) => Promise<T>,
): BatchQueue<StreamPageRequest, EventRow[]> {
  const oneSql = readStreamPageSql(schema, 'forward');
  const manySql = streamPagesSql(schema);
  return createBatchQueue<StreamPageRequest, EventRow[]>({
    ...options,
    minQueueToOverlap,
    async runBatch(batch) {
      if (batch.length === 1) {
        const { item, resolve } = batch[0]!;
        const { rows } = await inScope(() =>
          executor.query<EventRow>(oneSql, [item.stream, item.first, item.count]),
        );
        return resolve(rows);
      }
      const { rows } = await inScope(() =>
        executor.query<EventRow & { readonly n: number }>(manySql, [
          batch.map(({ item }) => item.stream),
          batch.map(({ item }) => item.first),
          batch.map(({ item }) => item.count),
        ]),
      );
      const pages = batch.map((): EventRow[] => []);
      for (const row of rows) pages[row.n - 1]!.push(row);
      for (const [index, pending] of batch.entries()) pending.resolve(pages[index]!);
    },
  });
}
