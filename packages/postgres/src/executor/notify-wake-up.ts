import { isPosition, type Position, START_POSITION } from '@duet/core';
import type { NotifyHandler } from './sql-executor.ts';

/**
 * One NOTIFY channel turned into wake-ups, for everything that sleeps until something
 * commits: the store's subscriptions and the runner's workers (on the store's append
 * channel), read-your-writes waiters (on the runners' checkpoint channel). It LISTENs
 * once, on the first `start`. `generation` counts wake-ups, so a reader that read while
 * one arrived reads again instead of sleeping through it. `notifiedHead` is the highest
 * position a payload carried (appends notify their last position): a worker that finds
 * nothing to read while the notified head is ahead of it knows events are committed but
 * held behind a running transaction, and that no further NOTIFY will come for them.
 */
export interface NotifyWakeUp {
  readonly generation: number;
  readonly notifiedHead: Position;
  /** Starts listening (once); a failure leaves readers on their polling fallback. */
  start(): Promise<void>;
  /** Resolves on the next wake-up after `since`, after `timeoutMs`, or when `signal` aborts. */
  wait(since: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void>;
  close(): Promise<void>;
}

/**
 * @example
 * const wake = createNotifyWakeUp((onNotify) => executor.listen(eventsChannel(schema), onNotify));
 * const seen = wake.generation; // read, then: await wake.wait(seen, 1_000, signal);
 */
export function createNotifyWakeUp(
  listen: (onNotify: NotifyHandler) => Promise<() => Promise<void>>,
): NotifyWakeUp {
  let generation = 0;
  let notifiedHead: Position = START_POSITION;
  const waiters = new Set<() => void>();
  let listening: Promise<(() => Promise<void>) | null> | null = null;

  // null (a reconnect: notifications may have been lost) wakes everyone too.
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
        listening = null; // try again on the next start; polling covers meanwhile
        return null;
      });
      await listening;
    },
    wait(since, timeoutMs, signal) {
      if (generation !== since || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
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
