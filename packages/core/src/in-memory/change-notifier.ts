/**
 * Wakes subscriptions that have caught up when new events commit. A waiter also wakes on
 * its signal's abort and when the store closes, so a pending `next()` always settles.
 */
export interface ChangeNotifier {
  /** Resolves on the next `notify()`, on `signal` abort, or on `close()`. */
  wait(signal?: AbortSignal): Promise<void>;
  notify(): void;
  /** How many times `notify()` was called. */
  readonly generation: number;
  /** Wakes every waiter now and every later one at once. */
  close(): void;
  readonly closed: boolean;
}

/** Creates a notifier with no waiters. */
export function createChangeNotifier(): ChangeNotifier {
  const waiters = new Set<() => void>();
  let closed = false;
  let generation = 0;

  function wakeAll(): void {
    const woken = [...waiters];
    waiters.clear();
    for (const wake of woken) wake();
  }

  return {
    get closed() {
      return closed;
    },
    get generation() {
      return generation;
    },
    wait(signal) {
      if (closed || signal?.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = (): void => {
          waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    },
    notify() {
      generation++;
      wakeAll();
    },
    close() {
      closed = true;
      wakeAll();
    },
  };
}
