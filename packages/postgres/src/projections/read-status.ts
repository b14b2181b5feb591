import { isPosition, type ProcessorDefinition, START_POSITION } from '@duet/core';
import { oldestRunningTransaction } from '../event-store/oldest-running-transaction.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';
import type { PartitionWorker } from './partition-worker.ts';
import type { ProjectionFailure, ProjectionState, ProjectionStatus } from './projection-runner.ts';
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
}

/** The reading runner's own workers: it knows their state first-hand. */
export interface LocalWorkers {
  readonly owner: string;
  readonly workers: Iterable<PartitionWorker>;
}

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
  /** From the owner row, when its heartbeat has not expired. */
  readonly owner: string | null;
  readonly batch_size: number | null;
  readonly events_done: string | null;
  readonly events_per_sec: number | null;
  readonly last_error: string | null;
}

// undefined_table, invalid_schema_name: the runner's tables are not migrated yet.
const missingCodes = new Set(['42P01', '3F000']);

/** Checkpoints with their projection's active version and a live owner's record, in one query. */
async function readCheckpoints(source: StatusSource): Promise<CheckpointRow[]> {
  const s = quoteIdentifier(source.schema);
  const names = source.processors ? [...new Set(source.processors.map((p) => p.name))] : null;
  try {
    const { rows } = await source.readModels.query<CheckpointRow>(
      `SELECT c.name, c.version, c.partition, c.partitions, c.position, c.state,
              c.applied::text AS applied, c.error, p.active_version,
              o.owner, o.batch_size, o.events_done::text AS events_done, o.events_per_sec,
              o.last_error
         FROM ${s}.checkpoints AS c
         JOIN ${s}.projections AS p ON p.name = c.name
         LEFT JOIN ${s}.owners AS o
           ON o.name = c.name AND o.version = c.version AND o.partition = c.partition
          AND o.expires_at > now()
        WHERE $1::text[] IS NULL OR c.name = ANY($1::text[])
        ORDER BY c.name, c.version, c.partition`,
      [names],
    );
    return rows;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !missingCodes.has(code)) throw error;
    // Not migrated yet: no processor has run here, nothing to report (status readers such as
    // health checks work before `migrate`). Tables from an older version are not that.
    const { rows } = await source.readModels.query<{ found: boolean }>(
      `SELECT to_regclass(format('%I.%I', $1::text, 'checkpoints')) IS NOT NULL AS found`,
      [source.schema],
    );
    if (rows[0]?.found) throw error;
    return [];
  }
}

function stateOf(row: CheckpointRow, running: boolean, local: PartitionWorker | undefined) {
  if (row.state === 'failed' || local?.state === 'failed') return 'failed';
  if (!running) return 'stopped';
  if (row.version > row.active_version || row.state === 'rebuilding') return 'rebuilding';
  return row.state === 'live' ? 'live' : 'catching_up';
}

const keyOf = (name: string, version: number, partition: number) =>
  `${name}\u0000${version}\u0000${partition}`;

/**
 * Status of every partition of every projection version, as any process sees it: the
 * state recorded in its checkpoint while a runner's heartbeat says it works it ('stopped'
 * otherwise), that runner's batch size and progress, and lag in events and time with the
 * transaction holding readers back. Two queries (read models, then the store: head and
 * every lag at once), and a third only when a transaction holds events back. `local`
 * overrides the records with what the calling runner knows of its own workers.
 */
export async function readStatus(
  source: StatusSource,
  local?: LocalWorkers,
): Promise<ProjectionStatus[]> {
  const rows = await readCheckpoints(source);
  if (rows.length === 0) return [];
  const mine = new Map<string, PartitionWorker>();
  for (const worker of local?.workers ?? []) {
    mine.set(keyOf(worker.processor.name, worker.processor.version, worker.partition), worker);
  }
  const definitionOf = (row: CheckpointRow) =>
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
      applied: Number(row.applied),
      owned: ownedHere,
      ...(ownedBy === undefined ? {} : { ownedBy }),
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(lag.held && holder
        ? { heldBy: { pid: holder.pid, transactionId: holder.transactionId, ageMs: holder.ageMs } }
        : {}),
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
