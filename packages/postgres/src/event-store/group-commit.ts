import { type AppendResult, DuetError, DuplicateEventError, ErrorCode } from '@duet/core';
import type { AppendOutcome } from './append-batch.ts';
import { type BatchQueue, createBatchQueue, type Queued } from './batch-queue.ts';
import type { PreparedAppend } from './prepare-append.ts';

export interface GroupCommitConfig<A extends PreparedAppend = PreparedAppend> {
  /** Runs a batch in one transaction; throws only if the whole batch failed. */
  readonly run: (appends: readonly A[]) => Promise<AppendOutcome[]>;
  readonly enabled: boolean;
  readonly maxBatchSize: number;
  readonly maxConcurrentBatches: number;
}

/** Appends go in with `submit`; `close` waits for queued and running batches. */
export type GroupCommit<A extends PreparedAppend = PreparedAppend> = BatchQueue<A, AppendResult>;

/**
 * Below this many queued appends, a second batch waits for the running one instead: with
 * a few writers one full batch per commit does more per fsync than two half-empty ones
 * (measured, 8 writers: 10.3k events/s with one batch in flight, 7.3k with two; 64
 * writers: 17.8k with one, 21.4k with two).
 */
const minQueueToOverlap = 16;

const uniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';
const deadlock = (error: unknown) => (error as { code?: unknown } | null)?.code === '40P01';
/** Attempts of an append whose transaction PostgreSQL aborted as a deadlock victim. */
const maxDeadlockAttempts = 3;

/**
 * For a unique violation on the events' primary key, the append's event ids (PostgreSQL
 * leaves the key out of the error under row-level security, so it cannot say which);
 * otherwise undefined.
 */
function reusedEventId(error: unknown, append: PreparedAppend): string | undefined {
  if (!uniqueViolation(error)) return undefined;
  if ((error as { constraint?: unknown }).constraint !== 'events_pkey') return undefined;
  return append.ids.join(' or ');
}

/**
 * Gathers concurrent appends into batches (see `createBatchQueue`): a lone writer waits
 * for nobody, and a busy process pays one round trip and one commit per batch instead of
 * per append.
 *
 * A batch that fails as a whole (e.g. 23505: another process stored the same event id
 * first) is retried one append at a time, so only the append at fault fails.
 */
export function createGroupCommit<A extends PreparedAppend = PreparedAppend>(
  config: GroupCommitConfig<A>,
): GroupCommit<A> {
  type Pending = Queued<A, AppendResult>;
  const settle = (pending: Pending, outcome: AppendOutcome | undefined) => {
    if (!outcome)
      pending.reject(new DuetError(ErrorCode.APPEND_LOST, 'the batch returned no outcome'));
    else if (outcome.ok) pending.resolve(outcome.result);
    else pending.reject(outcome.error);
  };

  const runAlone = async (pending: Pending) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const [outcome] = await config.run([pending.item]);
        return settle(pending, outcome);
      } catch (error) {
        // A duplicate id that another process committed meanwhile: the retry sees the
        // stored row and answers idempotent or DuplicateEventError.
        if (attempt === 1 && uniqueViolation(error)) continue;
        // Still a duplicate id after that: the row is one this scope cannot see, another
        // tenant's. Refused as a duplicate, without anything of that tenant's row.
        const reusedId = reusedEventId(error, pending.item);
        if (reusedId !== undefined) {
          return pending.reject(new DuplicateEventError(reusedId, pending.item.stream));
        }
        // A deadlock rolled the whole transaction back: running it again is safe.
        if (attempt < maxDeadlockAttempts && deadlock(error)) continue;
        return pending.reject(error);
      }
    }
  };

  return createBatchQueue<A, AppendResult>({
    enabled: config.enabled,
    maxBatchSize: config.maxBatchSize,
    maxConcurrentBatches: config.maxConcurrentBatches,
    minQueueToOverlap,
    async runBatch(batch) {
      if (batch.length === 1) return runAlone(batch[0]!);
      try {
        const outcomes = await config.run(batch.map((pending) => pending.item));
        for (const [index, pending] of batch.entries()) settle(pending, outcomes[index]);
      } catch {
        for (const pending of batch) await runAlone(pending);
      }
    },
  });
}
