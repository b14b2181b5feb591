import {
  createEventRegistry,
  type EventRegistry,
  type Position,
  type ProcessorDefinition,
  type RecordedEvent,
} from '@duet/core';
import { positionParts } from '@duet/core/adapters';
import { type EventRow, rowPosition, toRecordedEvent } from '../../event-store/event-row.ts';
import { readHorizonSql } from '../../event-store/read-horizon.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { explainMissingSchema } from '../../not-migrated-error.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';

/** One keyset page of the global order, reduced to what a processor partition reads. */
export interface EventPage {
  /** This partition's events of the processor's types, in order. */
  readonly events: RecordedEvent[];
  /** Rows the page covered (all types and partitions). */
  readonly scanned: number;
  /** The last position the page covered: the checkpoint may move here. */
  readonly end: Position | null;
}

/** What a partition's reader needs: the store, the types and partition, and upcasting. */
export interface PageReader {
  read(after: Position, limit: number): Promise<EventPage>;
}

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
  // Parameters after $3 are numbered in the order `read` pushes them: types, then partitions.
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
       CASE WHEN p.matched THEN p.metadata END AS metadata,
       p.matched, p.scanned::text AS scanned
  FROM (SELECT page.*, count(*) OVER () AS scanned,
               row_number() OVER (ORDER BY page.tx_id DESC, page.seq DESC) AS from_end
          FROM (SELECT e.seq, e.tx_id, e.id, e.stream, e.stream_version, e.type,
                       e.schema_version, e.data, e.metadata, ${match} AS matched
                  FROM ${quoteIdentifier(schema)}.events AS e, horizon
                 WHERE (e.tx_id, e.seq) > ($1::text::xid8, $2::text::bigint)
                   AND e.tx_id < horizon.h
                 ORDER BY e.tx_id, e.seq
                 LIMIT $3) AS page) AS p
 WHERE p.matched OR p.from_end = 1
 ORDER BY p.tx_id, p.seq`;
}

/** Upcasts with the processor's own definitions first, then the store's registry. */
function upcasterFor(
  projection: ProcessorDefinition,
  storeRegistry: EventRegistry | undefined,
): EventRegistry {
  const own = createEventRegistry(projection.eventDefinitions, { strict: false });
  return {
    get: (type) => own.get(type) ?? storeRegistry?.get(type),
    check: (type, data) => own.check(type, data),
    upcast: (type, data, version) =>
      own.get(type) || !storeRegistry
        ? own.upcast(type, data, version)
        : storeRegistry.upcast(type, data, version),
  };
}

/** Reads one processor partition's pages from the event store. */
export function createPageReader(
  executor: SqlExecutor,
  schema: string,
  projection: ProcessorDefinition,
  partition: number,
  storeRegistry: EventRegistry | undefined,
): PageReader {
  const partitioned = projection.partitions > 1;
  const allTypes = projection.eventTypes === null;
  const sql = pageSql(schema, partitioned, allTypes);
  const registry = upcasterFor(projection, storeRegistry);
  return {
    async read(after, limit) {
      const { transactionId, sequence } = positionParts(after);
      const params: unknown[] = [transactionId.toString(), sequence.toString(), limit];
      if (!allTypes) params.push(projection.eventTypes);
      if (partitioned) params.push(projection.partitions, partition);
      let rows: PageRow[];
      try {
        ({ rows } = await executor.query<PageRow>(sql, params));
      } catch (error) {
        throw explainMissingSchema(error, schema);
      }
      const last = rows.at(-1);
      return {
        events: rows.filter((row) => row.matched).map((row) => toRecordedEvent(row, registry)),
        scanned: last ? Number(last.scanned) : 0,
        end: last ? rowPosition(last) : null,
      };
    },
  };
}
