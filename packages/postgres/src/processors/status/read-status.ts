import { isPosition, type ProcessorDefinition, START_POSITION } from '@duet/core';
import { oldestRunningTransaction } from '../../event-store/oldest-running-transaction.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import type { ProjectionState, ProjectionStatus } from '../processor-types.ts';
import type { PartitionWorker } from '../runner/partition-worker.ts';
import { readStatusRows, type StatusRow } from '../tables/status-rows.ts';
import { judgeProcessorHealth } from './judge-processor-health.ts';
import { readLag } from './read-lag.ts';
import { rateOf } from './status-heartbeat.ts';

/** Where status is read from: the runner's tables and the store. */
export interface StatusSource {
  readonly storeExecutor: SqlExecutor;
  readonly storeSchema: string;
  readonly readModels: SqlExecutor;
  readonly schema: string;
  /** Only these processors' names, with their event types for lag; all names when absent. */
  readonly processors?: readonly ProcessorDefinition[] | undefined;
  /** Position unmoved this long while events wait: 'stalled'. */
  readonly stallAfterMs: number;
}

/** The reading runner's own workers: it knows their state first-hand. */
export interface LocalWorkers {
  readonly owner: string;
  readonly workers: Iterable<PartitionWorker>;
}

function stateOf(row: StatusRow, running: boolean, local: PartitionWorker | undefined) {
  if (row.state === 'failed' || local?.state === 'failed') return 'failed';
  if (!running) return 'stopped';
  // Asked to pause: its runner finishes the batch in flight, then waits.
  if (local ? local.state === 'paused' || row.paused_at !== null : row.paused_at !== null) {
    return 'paused';
  }
  if (row.version > row.active_version || row.state === 'rebuilding') return 'rebuilding';
  return row.state === 'live' ? 'live' : 'catching_up';
}

/** The last heartbeat recorded for the row's partition, fresh or expired (the reason for 'stopped'). */
const lastHeartbeatOf = (row: StatusRow) =>
  row.last_owner === null || row.heartbeat_age_ms === null
    ? undefined
    : { owner: row.last_owner, ageMs: Math.round(row.heartbeat_age_ms) };

const keyOf = (name: string, version: number, partition: number) =>
  `${name}\u0000${version}\u0000${partition}`;

/**
 * Status of every partition of every projection version, as any process sees it: the
 * state recorded in its checkpoint while a runner's heartbeat says it works it ('stopped'
 * otherwise), that runner's batch size and progress, and lag in events and time with the
 * transaction holding readers back, and health by the stall rule (judgeProcessorHealth).
 * Two queries (read models, then the store: head and every lag at once), and a third only
 * when a transaction holds events back. `local` overrides the records with what the
 * calling runner knows of its own workers.
 */
export async function readStatus(
  source: StatusSource,
  local?: LocalWorkers,
): Promise<ProjectionStatus[]> {
  const rows = await readStatusRows(
    source.readModels,
    source.schema,
    source.processors ? [...new Set(source.processors.map((p) => p.name))] : null,
  );
  if (rows.length === 0) return [];
  const mine = new Map<string, PartitionWorker>();
  for (const worker of local?.workers ?? []) {
    mine.set(keyOf(worker.processor.name, worker.processor.version, worker.partition), worker);
  }
  const definitionOf = (row: StatusRow) =>
    source.processors?.find((p) => p.name === row.name && p.version === row.version);
  const positions = rows.map((row) => (isPosition(row.position) ? row.position : START_POSITION));
  const { head, lags } = await readLag(
    source.storeExecutor,
    source.storeSchema,
    rows.map((row, i) => ({
      position: positions[i] ?? START_POSITION,
      types: definitionOf(row)?.eventTypes ?? null,
      partitions: row.partitions,
      partition: row.partition,
    })),
  );
  const holder = lags.some((lag) => lag.held)
    ? await oldestRunningTransaction(source.storeExecutor, source.storeSchema)
    : null;
  return rows.map((row, i): ProjectionStatus => {
    const lag = lags[i] ?? { events: 0, ms: 0, held: false };
    const worker = mine.get(keyOf(row.name, row.version, row.partition));
    const ownedHere = worker !== undefined && worker.state !== 'stopped';
    // A record of this runner's own without a running worker here is left over: ignore it.
    const recorded = row.owner !== null && row.owner !== local?.owner ? row.owner : undefined;
    const ownedBy = ownedHere ? local?.owner : recorded;
    const state: ProjectionState = stateOf(row, ownedBy !== undefined, worker);
    const batchSize = ownedHere ? worker.sizer.size : (row.batch_size ?? undefined);
    const rate = ownedHere ? rateOf(worker) : (row.events_per_sec ?? 0);
    const eventsDone = ownedHere ? worker.progress.eventsDone : Number(row.events_done ?? 0);
    const error = row.error ?? worker?.failure;
    const lastError = ownedHere ? worker.lastError : (row.last_error ?? undefined);
    const heldBy =
      lag.held && holder
        ? { pid: holder.pid, transactionId: holder.transactionId, ageMs: holder.ageMs }
        : undefined;
    const pause =
      row.paused_at === null
        ? undefined
        : { at: row.paused_at, ...(row.paused_by === null ? {} : { by: row.paused_by }) };
    const verdict = judgeProcessorHealth(
      {
        running: ownedBy !== undefined,
        failed: state === 'failed',
        paused: state === 'paused' ? (pause ?? { at: new Date().toISOString() }) : undefined,
        error,
        lagEvents: lag.events,
        lagMs: lag.ms,
        unmovedMs: row.unmoved_ms,
        heldBy,
        lastError,
        lastHeartbeat: lastHeartbeatOf(row),
      },
      source.stallAfterMs,
    );
    return {
      name: row.name,
      version: row.version,
      partition: row.partition,
      partitions: row.partitions,
      active: row.version === row.active_version,
      state,
      position: positions[i] ?? START_POSITION,
      head,
      lagEvents: lag.events,
      lagMs: lag.ms,
      health: verdict.health,
      ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
      stuckMs: verdict.stuckMs,
      applied: Number(row.applied),
      owned: ownedHere,
      ...(ownedBy === undefined ? {} : { ownedBy }),
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(heldBy ? { heldBy } : {}),
      ...(pause ? { paused: pause } : {}),
      ...(state === 'rebuilding' && ownedBy !== undefined
        ? {
            rebuild: {
              eventsDone,
              eventsPerSec: Math.round(rate),
              etaSeconds: rate > 0 ? Math.ceil(lag.events / rate) : null,
            },
          }
        : {}),
      ...(error ? { error } : {}),
      ...(lastError === undefined || state === 'failed' ? {} : { lastError }),
    };
  });
}
