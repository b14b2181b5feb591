import { DuetError, ErrorCode } from '@duet/core';

/** One caller's request waiting in a batch queue, and how to answer it. */
export interface Queued<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatchQueueConfig<I, O> {
  /** Runs one batch and settles each of its requests. */
  readonly runBatch: (batch: readonly Queued<I, O>[]) => Promise<void>;
  /** Off: every request runs alone, at once. */
  readonly enabled: boolean;
  readonly maxBatchSize: number;
  readonly maxConcurrentBatches: number;
  /**
   * Below this many queued requests a second batch waits for the running one instead of
   * starting beside it: one fuller batch does more per round trip than two thin ones.
   */
  readonly minQueueToOverlap: number;
}

export interface BatchQueue<I, O> {
  submit(item: I, signal?: AbortSignal): Promise<O>;
  /** Waits for queued and running batches; later submits still run. */
  drain(): Promise<void>;
  /** Waits for queued and running batches; later submits fail. */
  close(): Promise<void>;
}

interface Pending<I, O> extends Queued<I, O> {
  readonly signal: AbortSignal | undefined;
}

/**
 * Gathers concurrent requests into batches: while up to `maxConcurrentBatches` are
 * running, new requests queue; when slots free up, the queue is shared among them (up to
 * `maxBatchSize` each), so batches overlap instead of running one after another. A lone
 * caller therefore waits for nobody, and a busy process pays one round trip per batch
 * instead of per request. The group commit (appends) and the stream page reads use it.
 */
export function createBatchQueue<I, O>(config: BatchQueueConfig<I, O>): BatchQueue<I, O> {
  const queue: Pending<I, O>[] = [];
  const running = new Set<Promise<void>>();
  let scheduled = false;
  let closed = false;

  const pump = () => {
    const limit = config.enabled ? config.maxConcurrentBatches : Number.POSITIVE_INFINITY;
    while (queue.length > 0 && running.size < limit) {
      const crowded = queue.length >= config.minQueueToOverlap;
      if (config.enabled && running.size > 0 && !crowded) break;
      // When crowded, share the queue among the free slots: a batch that took everything
      // would leave the other slots idle, and its callers would all come back at once to
      // form the next batch only after it finished. Split, the batches stagger: one
      // executes while another commits, and each returning half queues meanwhile.
      const size = !config.enabled
        ? 1
        : Math.min(
            config.maxBatchSize,
            crowded ? Math.ceil(queue.length / (limit - running.size)) : queue.length,
          );
      const batch: Pending<I, O>[] = [];
      while (batch.length < size && queue.length > 0) {
        const pending = queue.shift()!;
        if (pending.signal?.aborted) pending.reject(pending.signal.reason);
        else batch.push(pending);
      }
      if (batch.length === 0) continue;
      const done = config
        .runBatch(batch)
        .catch((error: unknown) => {
          for (const pending of batch) pending.reject(error);
        })
        .finally(() => {
          running.delete(done);
          pump();
        });
      running.add(done);
    }
  };

  return {
    submit(item, signal) {
      if (closed)
        return Promise.reject(new DuetError(ErrorCode.STORE_CLOSED, 'the event store is closed'));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject, signal });
        // Wait one turn of the event loop so requests started together (their own checks
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
    drain,
    async close() {
      closed = true;
      await drain();
    },
  };

  async function drain(): Promise<void> {
    while (queue.length > 0 || running.size > 0 || scheduled) {
      pump();
      await Promise.race([...running, new Promise((resolve) => setImmediate(resolve))]);
    }
  }
}
