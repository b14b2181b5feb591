import { type Position, START_POSITION } from '@duet/core';
import { makePosition, positionParts } from '@duet/core/adapters';
import { readHorizonSql } from '../../event-store/read-horizon.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';

/** A checkpoint to measure: where it is, and which events count (null types: every event). */
export interface LagProbe {
  readonly position: Position;
  readonly types: readonly string[] | null;
  readonly partitions: number;
  readonly partition: number;
}

/** Events a checkpoint has not applied yet, the oldest one's age, and whether any wait behind an open transaction. */
export interface Lag {
  readonly events: number;
  readonly ms: number;
  readonly held: boolean;
}

interface LagRow {
  readonly i: number;
  readonly lag: string;
  readonly lag_ms: number | null;
  readonly held: boolean;
  readonly head_tx_id: string | null;
  readonly head_seq: string | null;
}

/**
 * The store's head and every probe's lag in ONE statement (a LATERAL count per probe):
 * status pages and readiness probes call this often, and the round trips were the cost.
 */
function lagSql(schema: string): string {
  const events = `${quoteIdentifier(schema)}.events`;
  return `WITH horizon AS MATERIALIZED (${readHorizonSql(schema)}),
     head AS MATERIALIZED (
       SELECT e.tx_id::text AS tx_id, e.seq::text AS seq FROM ${events} AS e
        ORDER BY e.tx_id DESC, e.seq DESC LIMIT 1),
     probes AS (
       SELECT * FROM jsonb_to_recordset($1::text::jsonb)
         AS p(i integer, tx_id text, seq text, types text[], partitions integer, partition integer))
SELECT p.i, l.lag, l.lag_ms, l.held,
       (SELECT tx_id FROM head) AS head_tx_id, (SELECT seq FROM head) AS head_seq
  FROM probes AS p
 CROSS JOIN LATERAL (
   SELECT count(*)::text AS lag,
          (extract(epoch FROM clock_timestamp() - min(e.recorded_at)) * 1000)::float8 AS lag_ms,
          coalesce(bool_or(e.tx_id >= horizon.h), false) AS held
     FROM ${events} AS e, horizon
    WHERE (e.tx_id, e.seq) > (p.tx_id::xid8, p.seq::bigint)
      AND (p.types IS NULL OR e.type = ANY(p.types))
      AND (p.partitions <= 1 OR abs(hashtextextended(e.stream, 0) % p.partitions) = p.partition)
 ) AS l
 ORDER BY p.i`;
}

/**
 * Reads the store's last committed event (visible to readers or not) and each probe's
 * lag, in one round trip. Resolves to the head and the lags in the probes' order.
 */
export async function readLag(
  storeExecutor: SqlExecutor,
  storeSchema: string,
  probes: readonly LagProbe[],
): Promise<{ head: Position; lags: Lag[] }> {
  if (probes.length === 0) return { head: START_POSITION, lags: [] };
  const params = probes.map((probe, i) => {
    const { transactionId, sequence } = positionParts(probe.position);
    return {
      i,
      tx_id: transactionId.toString(),
      seq: sequence.toString(),
      types: probe.types,
      partitions: probe.partitions,
      partition: probe.partition,
    };
  });
  const { rows } = await storeExecutor.query<LagRow>(lagSql(storeSchema), [JSON.stringify(params)]);
  const first = rows[0];
  const head =
    first?.head_tx_id != null && first.head_seq != null
      ? makePosition(BigInt(first.head_tx_id), BigInt(first.head_seq))
      : START_POSITION;
  const byIndex = new Map(rows.map((row) => [row.i, row]));
  const lags = probes.map((_, i): Lag => {
    const row = byIndex.get(i);
    const events = Number(row?.lag ?? 0);
    return {
      events,
      ms: events > 0 ? Math.max(0, Math.round(row?.lag_ms ?? 0)) : 0,
      held: row?.held ?? false,
    };
  });
  return { head, lags };
}
