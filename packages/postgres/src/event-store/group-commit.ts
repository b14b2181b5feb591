import { type AppendResult, DuetError, DuplicateEventError, ErrorCode } from '@duet/core';
import type { AppendOutcome } from './append-batch.ts';
import type { PreparedAppend } from './prepare-append.ts';

export interface GroupCommitConfig<A extends PreparedAppend = PreparedAppend> {
  /** Runs a batch in one transaction; throws only if the whole batch failed. */
  readonly run: (appends: readonly A[]) => Promise<AppendOutcome[]>;
  readonly enabled: boolean;
  readonly maxBatchSize: number;
  readonly maxConcurrentBatches: number;
}

export interface GroupCommit<A extends PreparedAppend = PreparedAppend> {
  submit(append: A, signal?: AbortSignal): Promise<AppendResult>;
  /** Waits for queued and running batches; later submits fail. */
  close(): Promise<void>;
}

interface Pending<A extends PreparedAppend> {
  readonly append: A;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

/** Below this many queued appends, a second batch waits for the running one instead. */
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
 * Gathers concurrent appends into batches: while up to `maxConcurrentBatches` are
 * running, new appends queue; when slots free up, the queue is shared among them (up to
 * `maxBatchSize` each), so batches overlap instead of running one after another. A lone
 * writer therefore waits for nobody, and a busy process pays one round trip and one
 * commit per batch instead of per append.
 *
 * A batch that fails as a whole (e.g. 23505: another process stored the same event id
 * first) is retried one append at a time, so only the append at fault fails.
 */
export function createGroupCommit<A extends PreparedAppend = PreparedAppend>(
  config: GroupCommitConfig<A>,
): GroupCommit<A> {
  const queue: Pending<A>[] = [];
  const running = new Set<Promise<void>>();
  let scheduled = false;
  let closed = false;

  const settle = (pending: Pending<A>, outcome: AppendOutcome | undefined) => {
    if (!outcome)
      pending.reject(new DuetError(ErrorCode.APPEND_LOST, 'the batch returned no outcome'));
    else if (outcome.ok) pending.resolve(outcome.result);
    else pending.reject(outcome.error);
  };

  const runAlone = async (pending: Pending<A>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const [outcome] = await config.run([pending.append]);
        return settle(pending, outcome);
      } catch (error) {
        // A duplicate id that another process committed meanwhile: the retry sees the
        // stored row and answers idempotent or DuplicateEventError.
        if (attempt === 1 && uniqueViolation(error)) continue;
        // Still a duplicate id after that: the row is one this scope cannot see, another
        // tenant's. Refused as a duplicate, without anything of that tenant's row.
        const reusedId = reusedEventId(error, pending.append);
        if (reusedId !== undefined) {
          return pending.reject(new DuplicateEventError(reusedId, pending.append.stream));
        }
        // A deadlock rolled the whole transaction back: running it again is safe.
        if (attempt < maxDeadlockAttempts && deadlock(error)) continue;
        return pending.reject(error);
      }
    }
  };

  const runBatch = async (batch: Pending<A>[]) => {
    if (batch.length === 1) return runAlone(batch[0]!);
    try {
      const outcomes = await config.run(batch.map((pending) => pending.append));
      for (const [index, pending] of batch.entries()) settle(pending, outcomes[index]);
    } catch {
      for (const pending of batch) await runAlone(pending);
    }
  };

  const pump = () => {
    const limit = config.enabled ? config.maxConcurrentBatches : Number.POSITIVE_INFINITY;
    while (queue.length > 0 && running.size < limit) {
      // A second batch in flight pays only when there is enough to share: with a few
      // writers one full batch per commit does more per fsync than two half-empty ones
      // (measured, 8 writers: 10.3k events/s with one batch in flight, 7.3k with two;
      // 64 writers: 17.8k with one, 21.4k with two).
      const crowded = queue.length >= minQueueToOverlap;
      if (config.enabled && running.size > 0 && !crowded) break;
      const batch: Pending<A>[] = [];
      // When crowded, share the queue among the free slots: a batch that took everything
      // would leave the other slots idle, and its writers would all come back at once to
      // form the next batch only after it committed. Split, the batches stagger: one
      // executes while another commits, and each returning half queues meanwhile.
      const size = !config.enabled
        ? 1
        : Math.min(
            config.maxBatchSize,
            crowded ? Math.ceil(queue.length / (limit - running.size)) : queue.length,
          );
      while (batch.length < size && queue.length > 0) {
        const pending = queue.shift()!;
        if (pending.signal?.aborted) pending.reject(pending.signal.reason);
        else batch.push(pending);
      }
      if (batch.length === 0) continue;
      const done = runBatch(batch).finally(() => {
        running.delete(done);
        pump();
      });
      running.add(done);
    }
  };

  return {
    submit(append, signal) {
      if (closed)
        return Promise.reject(new DuetError(ErrorCode.STORE_CLOSED, 'the event store is closed'));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ append, resolve, reject, signal });
        // Wait one turn of the event loop so appends started together (their schema checks
        // resolve in microtasks) join the same batch.
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            pump();
          });
        }
      });
    },
    async close() {
      closed = true;
      while (queue.length > 0 || running.size > 0 || scheduled) {
        pump();
        await Promise.race([...running, new Promise((resolve) => setImmediate(resolve))]);
      }
    },
  };
}
