import type { CommittedPage, CommittedPageOptions, EventRegistry, Position } from '@duet/core';
import { checkCommittedPageOptions, positionParts } from '@duet/core/adapters';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import { type EventRow, rowPosition, toRecordedEvent } from './event-row.ts';
import { readHorizonSql } from './read-horizon.ts';

interface PageRow extends EventRow {
  readonly matched: boolean;
  readonly scanned: string;
}

/**
 * The page SQL: `limit` rows after ($1, $2) under the same read horizon as `readAll`
 * (no row at or above a running appender's transaction id, so a late commit is never
 * skipped; see read-horizon.ts), then only the matching rows come back, plus the page's last row so the
 * checkpoint can move past events the processor does not read. A partition is
 * `abs(hashtextextended(stream, 0) % partitions)`: stable, and computed where the rows are.
 */
function pageSql(schema: string, partitioned: boolean, allTypes: boolean): string {
  // Parameters after $3 are numbered in the order `readCommittedPage` pushes them: types, then partitions.
  const p = allTypes ? 4 : 5;
  const clauses = [
    ...(allTypes ? [] : ['e.type = ANY($4::text[])']),
    ...(partitioned ? [`abs(hashtextextended(e.stream, 0) % $${p}) = $${p + 1}`] : []),
  ];
  const match = clauses.length === 0 ? 'true' : clauses.join(' AND ');
  return `WITH horizon AS MATERIALIZED (${readHorizonSql(schema)})
SELECT p.seq::text AS seq, p.tx_id::text AS tx_id, p.id::text AS id, p.stream,
       p.stream_version::integer AS stream_version, p.type, p.schema_version,
       CASE WHEN p.matched THEN p.data END AS data,
       CASE WHEN p.matched THEN p.metadata END AS metadata, p.tenant,
       p.matched, p.scanned::text AS scanned
  FROM (SELECT page.*, count(*) OVER () AS scanned,
               row_number() OVER (ORDER BY page.tx_id DESC, page.seq DESC) AS from_end
          FROM (SELECT e.seq, e.tx_id, e.id, e.stream, e.stream_version, e.type,
                       e.schema_version, e.data, e.metadata, e.tenant, ${match} AS matched
                  FROM ${quoteIdentifier(schema)}.events AS e, horizon
                 WHERE (e.tx_id, e.seq) > ($1::text::xid8, $2::text::bigint)
                   AND e.tx_id < horizon.h
                 ORDER BY e.tx_id, e.seq
                 LIMIT $3) AS page) AS p
 WHERE p.matched OR p.from_end = 1
 ORDER BY p.tx_id, p.seq`;
}

/** The store's `readCommittedPage`: one keyset page, reduced to the matching events. */
export async function readCommittedPage(
  config: { readonly executor: SqlExecutor; readonly schema: string },
  registry: EventRegistry | undefined,
  after: Position,
  options: CommittedPageOptions,
): Promise<CommittedPage> {
  checkCommittedPageOptions(after, options);
  const { executor, schema } = config;
  const partitioned = options.partition !== undefined && options.partition.count > 1;
  const allTypes = options.types === null;
  const { transactionId, sequence } = positionParts(after);
  const params: unknown[] = [transactionId.toString(), sequence.toString(), options.limit];
  if (!allTypes) params.push(options.types);
  if (partitioned) params.push(options.partition!.count, options.partition!.index);
  let rows: PageRow[];
  try {
    ({ rows } = await executor.query<PageRow>(pageSql(schema, partitioned, allTypes), params));
  } catch (error) {
    throw explainMissingSchema(error, schema);
  }
  const last = rows.at(-1);
  const upcaster = options.registry ?? registry;
  return {
    events: rows.filter((row) => row.matched).map((row) => toRecordedEvent(row, upcaster)),
    scanned: last ? Number(last.scanned) : 0,
    end: last ? rowPosition(last) : null,
  };
}
