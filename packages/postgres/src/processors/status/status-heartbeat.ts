import type { SqlExecutor } from '../../executor/sql-executor.ts';
import type { PartitionWorker } from '../runner/partition-worker.ts';
import { deleteOwnerRecord, deleteOwnerRecords, recordHeartbeat } from '../tables/owners-table.ts';

/** A record not renewed for this many intervals belongs to a runner that is gone. */
export const STALE_AFTER_INTERVALS = 5;

/** Records, for other processes' status, which partitions this runner works and how fast. */
export interface StatusHeartbeat {
  /** Records now (every status interval, and when a worker starts); errors are left to the next beat. */
  beat(): Promise<void>;
  /** Removes one partition's record: its worker stopped here. */
  forget(worker: PartitionWorker): Promise<void>;
  /** Removes every record of this runner (it stops). */
  clear(): Promise<void>;
}

export interface StatusHeartbeatOptions {
  readonly readModels: SqlExecutor;
  readonly schema: string;
  readonly owner: string;
  /** The status interval: a record expires after `STALE_AFTER_INTERVALS` of them. */
  readonly intervalMs: number;
  /** The workers running in this process. */
  workers(): Iterable<PartitionWorker>;
}

/** Events per second since the worker started or its projection was reset. */
export function rateOf(worker: PartitionWorker): number {
  const seconds = (Date.now() - worker.progress.since) / 1000;
  return seconds > 0 ? worker.progress.eventsDone / seconds : 0;
}

/**
 * The owning runner's side of observable status: each beat is one multi-row upsert
 * of the `owners` rows of its running workers (batch size, progress) with an expiry of
 * `STALE_AFTER_INTERVALS` intervals, in the read-model database's clock. The state itself
 * is the checkpoint row's, which the workers keep as they go; a missing or expired owner
 * row makes it 'stopped' for every reader.
 */
export function createStatusHeartbeat(options: StatusHeartbeatOptions): StatusHeartbeat {
  const { readModels, schema, owner, intervalMs } = options;
  let beating: Promise<void> | null = null;

  const record = async () => {
    const rows = [...options.workers()]
      .filter((worker) => worker.state !== 'stopped')
      .map((worker) => ({
        name: worker.processor.name,
        version: worker.processor.version,
        partition: worker.partition,
        batch_size: worker.sizer.size,
        events_done: worker.progress.eventsDone,
        events_per_sec: rateOf(worker),
        last_error: worker.lastError ?? null,
      }));
    if (rows.length === 0) return;
    await recordHeartbeat(readModels, schema, owner, intervalMs * STALE_AFTER_INTERVALS, rows);
  };

  // One beat at a time, so a slow database does not pile them up; a beat asked for while
  // one is in flight runs after it (a worker that just started must be in it).
  let again = false;
  const beat = (): Promise<void> => {
    if (beating) {
      again = true;
      return beating;
    }
    beating = (async () => {
      do {
        again = false;
        await record().catch(() => {}); // unreachable: the record expires, which is the truth
      } while (again);
    })().finally(() => {
      beating = null;
    });
    return beating;
  };

  return {
    beat,
    async forget(worker) {
      await beating; // or a beat in flight could record the worker again
      const { processor, partition } = worker;
      await deleteOwnerRecord(readModels, schema, owner, {
        name: processor.name,
        version: processor.version,
        partition,
      }).catch(() => {});
    },
    async clear() {
      await beating;
      await deleteOwnerRecords(readModels, schema, owner).catch(() => {});
    },
  };
}
