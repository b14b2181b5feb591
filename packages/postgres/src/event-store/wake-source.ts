import type { NotifyHandler } from '../executor/sql-executor.ts';

/**
 * Turns the store's NOTIFY channel into wake-ups for subscribers. It LISTENs once, on the
 * first subscriber; `generation` counts wake-ups so a subscriber that read while one
 * arrived reads again instead of sleeping through it.
 */
export interface WakeSource {
  readonly generation: number;
  /** Starts listening (once); a failure leaves subscribers on the polling fallback. */
  start(): Promise<void>;
  /** Resolves on the next wake-up after `since`, after `timeoutMs`, or when `signal` aborts. */
  wait(since: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void>;
  close(): Promise<void>;
}

export function createWakeSource(
  listen: (onNotify: NotifyHandler) => Promise<() => Promise<void>>,
): WakeSource {
  let generation = 0;
  const waiters = new Set<() => void>();
  let listening: Promise<(() => Promise<void>) | null> | null = null;

  const wake = () => {
    generation++;
    for (const waiter of [...waiters]) waiter();
  };

  return {
    get generation() {
      return generation;
    },
    async start() {
      listening ??= listen(wake).catch(() => {
        listening = null; // try again on the next subscriber; polling covers meanwhile
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
      wake();
      await stop?.();
    },
  };
}
