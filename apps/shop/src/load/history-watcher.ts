import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryResultOf } from '@duet/core';
import type { SearchOrders } from '../order-history/order-history-queries.ts';
import type { ShopHttp } from './shop-http.ts';

type HistoryPage = QueryResultOf<typeof SearchOrders>;
type HistoryStatus = HistoryPage['orders'][number]['status'];

/** What the history showed of one order, timed from PlaceOrder's reply. */
export interface HistorySighting {
  /** The status it settled in, or null when the wait was aborted first. */
  readonly status: HistoryStatus | null;
  /** Ms until the history first showed the order (any status). */
  readonly visibleMs?: number;
  /** Ms until the history showed it confirmed, cancelled or shipped. */
  readonly settledMs?: number;
}

/** Watches the order history for the orders a run placed. */
export interface HistoryWatcher {
  /** Resolves when the history shows `orderId` settled, or when `signal` aborts. */
  watch(orderId: string, placedAt: number, signal: AbortSignal): Promise<HistorySighting>;
  /** History queries that failed (and were tried again) so far. */
  failedQueries(): number;
  close(): void;
}

interface Pending {
  readonly seq: number;
  readonly placedAt: number;
  visibleAt?: number;
  readonly done: (sighting: HistorySighting) => void;
}

const settled = new Set<HistoryStatus>(['confirmed', 'cancelled', 'shipped']);
const PAGE = 100;

/**
 * One poller for the whole run: while orders are pending it asks the history's staff
 * query (`SearchOrders`, every customer, newest first) again and again, at most every
 * `intervalMs`, reading pages until it has passed the oldest pending order. Each order is
 * timed from PlaceOrder's reply to the reply of the first query that showed it (so a
 * time is at most one query round trip and `intervalMs` late). One poller instead of one
 * per order keeps the watching itself from loading the shop.
 *
 * @example
 * const watcher = createHistoryWatcher(http, 'demo-staff');
 * const { status, settledMs } = await watcher.watch('load-1', performance.now(), signal);
 */
export function createHistoryWatcher(
  http: ShopHttp,
  staffKey: string,
  intervalMs = 20,
): HistoryWatcher {
  const pending = new Map<string, Pending>();
  // Every order watched, settled or not, by the order it was placed in: a page that shows
  // one placed before the oldest pending order is past it.
  const placedSeq = new Map<string, number>();
  let seq = 0;
  let polling = false;
  let closed = false;
  let failures = 0;

  const poll = async () => {
    polling = true;
    try {
      while (pending.size > 0 && !closed) {
        const began = performance.now();
        await sweep().catch(() => {
          // A failed query (overload, restart) is tried again on the next round.
          failures += 1;
        });
        const rest = intervalMs - (performance.now() - began);
        if (rest > 0) await sleep(rest);
      }
    } finally {
      polling = false;
    }
  };

  const sweep = async () => {
    const oldest = Math.min(...[...pending.values()].map((p) => p.seq));
    let after: string | null = null;
    for (let pages = 0; pages < Math.ceil(pending.size / PAGE) + 2; pages++) {
      const params: Record<string, string | number> = { limit: PAGE };
      if (after !== null) params.after = after;
      const reply = await http.query<HistoryPage>(
        'order-history',
        'SearchOrders',
        params,
        staffKey,
      );
      if (reply.status !== 200) throw new Error(`SearchOrders HTTP ${reply.status}`);
      const now = performance.now();
      let passedOldest = false;
      for (const order of reply.body.orders) {
        if ((placedSeq.get(order.orderId) ?? Number.POSITIVE_INFINITY) <= oldest) {
          passedOldest = true;
        }
        const waiting = pending.get(order.orderId);
        if (waiting === undefined) continue;
        waiting.visibleAt ??= now;
        if (settled.has(order.status)) {
          pending.delete(order.orderId);
          waiting.done({
            status: order.status,
            visibleMs: waiting.visibleAt - waiting.placedAt,
            settledMs: now - waiting.placedAt,
          });
        }
      }
      after = reply.body.next;
      if (passedOldest || after === null || pending.size === 0) return;
    }
  };

  return {
    watch(orderId, placedAt, signal) {
      return new Promise((resolve) => {
        const finish = (sighting: HistorySighting) => {
          signal.removeEventListener('abort', onAbort);
          resolve(sighting);
        };
        const onAbort = () => {
          const waiting = pending.get(orderId);
          pending.delete(orderId);
          finish({
            status: null,
            ...(waiting?.visibleAt === undefined
              ? {}
              : { visibleMs: waiting.visibleAt - waiting.placedAt }),
          });
        };
        seq += 1;
        placedSeq.set(orderId, seq);
        pending.set(orderId, { seq, placedAt, done: finish });
        signal.addEventListener('abort', onAbort, { once: true });
        if (!polling) void poll();
      });
    },
    failedQueries: () => failures,
    close() {
      closed = true;
    },
  };
}
