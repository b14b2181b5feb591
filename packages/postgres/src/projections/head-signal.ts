import { isPosition, type Position, START_POSITION } from '@duet/core';
import type { NotifyHandler } from '../executor/sql-executor.ts';

/**
 * The store's append notifications as the runner's workers use them: a generation that
 * counts wake-ups (a worker that read while one arrived reads again instead of sleeping
 * through it) and the highest head position notified. A worker that finds nothing to read
 * below the read horizon while the notified head is ahead of it knows events are
 * committed but held behind a running transaction: no further NOTIFY will come for them,
 * so it re-reads on a short backoff instead of sleeping until the next one.
 */
export interface HeadSignal {
  readonly generation: number;
  readonly notifiedHead: Position;
  /** Starts listening (once); a failure leaves workers on the polling fallback. */
  start(): Promise<void>;
  /** Resolves on the next wake-up after `since`, after `timeoutMs`, or when `signal` aborts. */
  wait(since: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export function createHeadSignal(
  listen: (onNotify: NotifyHandler) => Promise<() => Promise<void>>,
): HeadSignal {
  let generation = 0;
  let notifiedHead: Position = START_POSITION;
  const waiters = new Set<() => void>();
  let listening: Promise<(() => Promise<void>) | null> | null = null;

  const wake: NotifyHandler = (payload) => {
    if (isPosition(payload) && payload > notifiedHead) notifiedHead = payload;
    generation++;
    for (const waiter of [...waiters]) waiter();
  };

  return {
    get generation() {
      return generation;
    },
    get notifiedHead() {
      return notifiedHead;
    },
    async start() {
      listening ??= listen(wake).catch(() => {
        listening = null;
        return null;
      });
      await listening;
    },
    wait(since, timeoutMs, signal) {
      if (generation !== since || signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
    async close() {
      const stop = await listening;
      listening = null;
      wake(null);
      await stop?.();
    },
  };
}
