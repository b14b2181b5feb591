import {
  isPosition,
  makePosition,
  type Position,
  type ProjectionDefinition,
  positionParts,
  START_POSITION,
} from '@duet/core';
import { oldestRunningTransaction } from '../event-store/oldest-running-transaction.ts';
import { readHorizonSql } from '../event-store/read-horizon.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import type { PartitionWorker } from './partition-worker.ts';
import type { ProjectionFailure, ProjectionState, ProjectionStatus } from './projection-runner.ts';
import type { RunnerConfig } from './resolve-runner-options.ts';

interface CheckpointRow {
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  readonly partitions: number;
  readonly position: string;
  readonly state: string;
  readonly applied: string;
  readonly error: ProjectionFailure | null;
  readonly active_version: number;
}

interface LagRow {
  readonly lag: string;
  readonly lag_ms: number | null;
  readonly held: boolean;
}

/** The store's last committed event, whether or not readers may see it yet. */
async function committedHead(config: RunnerConfig): Promise<Position> {
  const { rows } = await config.storeExecutor.query<{ tx_id: string; seq: string }>(
    `SELECT e.tx_id::text AS tx_id, e.seq::text AS seq FROM ${quoteIdentifier(config.storeSchema)}.events AS e
      ORDER BY e.tx_id DESC, e.seq DESC LIMIT 1`,
  );
  const row = rows[0];
  return row ? makePosition(BigInt(row.tx_id), BigInt(row.seq)) : START_POSITION;
}

/** Events of the projection's types (and partition) after a position, and whether any wait behind an open transaction. */
async function lagAfter(
  config: RunnerConfig,
  position: Position,
  projection: ProjectionDefinition | undefined,
  partition: number,
): Promise<LagRow> {
  const { transactionId, sequence } = positionParts(position);
  const params: unknown[] = [transactionId.toString(), sequence.toString()];
  let filter = '';
  if (projection) {
    params.push(projection.eventTypes);
    filter = ' AND e.type = ANY($3::text[])';
    if (projection.partitions > 1) {
      params.push(projection.partitions, partition);
      filter += ' AND abs(hashtextextended(e.stream, 0) % $4) = $5';
    }
  }
  const { rows } = await config.storeExecutor.query<LagRow>(
    `WITH horizon AS MATERIALIZED (${readHorizonSql(config.storeSchema)})
     SELECT count(*)::text AS lag,
            (extract(epoch FROM clock_timestamp() - min(e.recorded_at)) * 1000)::float8 AS lag_ms,
            coalesce(bool_or(e.tx_id >= horizon.h), false) AS held
       FROM ${quoteIdentifier(config.storeSchema)}.events AS e, horizon
      WHERE (e.tx_id, e.seq) > ($1::text::xid8, $2::text::bigint)${filter}`,
    params,
  );
  return rows[0] ?? { lag: '0', lag_ms: null, held: false };
}

function stateOf(
  row: CheckpointRow,
  worker: PartitionWorker | undefined,
  running: boolean,
): ProjectionState {
  if (row.state === 'failed' || worker?.state === 'failed') return 'failed';
  if (!running) return 'stopped';
  if (row.version > row.active_version || row.state === 'rebuilding') return 'rebuilding';
  if (worker?.state === 'stopped') return 'stopped';
  return row.state === 'live' ? 'live' : 'catching_up';
}

/**
 * Status of every partition of every version of the runner's projections, read from the
 * checkpoints (so partitions other processes hold show too) and the store: lag in events
 * and time, and which transaction holds readers back when committed events wait behind it.
 */
export async function readStatus(
  config: RunnerConfig,
  workers: ReadonlyMap<string, PartitionWorker>,
  running: boolean,
): Promise<ProjectionStatus[]> {
  const names = [...new Set(config.projections.map((p) => p.name))];
  const s = quoteIdentifier(config.schema);
  const { rows } = await config.readModels.query<CheckpointRow>(
    `SELECT c.name, c.version, c.partition, c.partitions, c.position, c.state,
            c.applied::text AS applied, c.error, p.active_version
       FROM ${s}.checkpoints AS c JOIN ${s}.projections AS p ON p.name = c.name
      WHERE c.name = ANY($1::text[])
      ORDER BY c.name, c.version, c.partition`,
    [names],
  );
  const head = await committedHead(config);
  let holder: Awaited<ReturnType<typeof oldestRunningTransaction>> | undefined;
  const statuses: ProjectionStatus[] = [];
  for (const row of rows) {
    const position = isPosition(row.position) ? row.position : START_POSITION;
    const projection = config.projections.find(
      (p) => p.name === row.name && p.version === row.version,
    );
    const worker = [...workers.values()].find(
      (w) =>
        w.projection.name === row.name &&
        w.projection.version === row.version &&
        w.partition === row.partition,
    );
    const lag = await lagAfter(config, position, projection, row.partition);
    if (lag.held && holder === undefined)
      holder = await oldestRunningTransaction(config.storeExecutor, config.storeSchema);
    const state = stateOf(row, worker, running);
    const lagEvents = Number(lag.lag);
    const rate = worker ? rateOf(worker) : 0;
    statuses.push({
      name: row.name,
      version: row.version,
      partition: row.partition,
      partitions: row.partitions,
      active: row.version === row.active_version,
      state,
      position,
      head,
      lagEvents,
      lagMs: lagEvents > 0 ? Math.max(0, Math.round(lag.lag_ms ?? 0)) : 0,
      applied: Number(row.applied),
      owned: worker !== undefined && worker.state !== 'stopped',
      ...(worker ? { batchSize: worker.sizer.size } : {}),
      ...(lag.held && holder
        ? { heldBy: { pid: holder.pid, transactionId: holder.transactionId, ageMs: holder.ageMs } }
        : {}),
      ...(state === 'rebuilding' && worker
        ? {
            rebuild: {
              eventsDone: worker.progress.eventsDone,
              eventsPerSec: Math.round(rate),
              etaSeconds: rate > 0 ? Math.ceil(lagEvents / rate) : null,
            },
          }
        : {}),
      ...(row.error || worker?.failure ? { error: (row.error ?? worker?.failure)! } : {}),
    });
  }
  return statuses;
}

function rateOf(worker: PartitionWorker): number {
  const seconds = (Date.now() - worker.progress.since) / 1000;
  return seconds > 0 ? worker.progress.eventsDone / seconds : 0;
}
