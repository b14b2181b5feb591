import { setTimeout as sleep } from 'node:timers/promises';
import { runInTenant } from '@duet/core';
import type { PostgresEventStore } from '@duet/postgres';
import { FirePlacementTimer } from './placement-commands.ts';
import { placementTimerKind } from './placement-events.ts';
import { type PlacementRecorder, recordPlacement } from './record-placement.ts';
import { metadataFromTimer } from './saga-metadata.ts';
import { type DueTimer, deleteFiredTimer, leaseDueTimers } from './timer-table.ts';

/** Options of `createTimerPoller`. */
export interface TimerPollerOptions extends PlacementRecorder {
  /** The orders store: the timer table is in its schema, the saga's streams in it. */
  readonly store: PostgresEventStore;
  /** What "due" is measured against, and the `at` of each fired timer. */
  readonly clock: () => Date;
  /** Pause between polls that found less than a full batch (default 1,000 ms). */
  readonly intervalMs?: number;
  /** How long a leased timer stays off other pollers if this one dies (default 30,000 ms). */
  readonly leaseMs?: number;
  /** Timers leased per poll (default 100). */
  readonly batch?: number;
}

/** A running timer poller. */
export interface TimerPoller {
  /** Starts polling in the background (no-op if running). */
  start(): void;
  /** Stops after the poll in flight. */
  stop(): Promise<void>;
  /** One poll, now: fires what is due and resolves to the number fired. */
  pollOnce(): Promise<number>;
  /** Why the last poll or timer failed, until a poll succeeds. */
  readonly lastError: string | undefined;
}

const STREAM_PREFIX = 'placement-';
const sagaTimerKinds = placementTimerKind.options;

/**
 * Fires the saga's due timers as `FirePlacementTimer` commands. Each poll leases due rows
 * (`FOR UPDATE SKIP LOCKED`, so pollers in several processes share the work), then fires
 * each in a store transaction of its own that records the saga's decision and deletes the
 * row (unless it was moved meanwhile). A crash after the lease leaves the row to fire
 * again once the lease ends: harmless, the saga records nothing for a timer that no
 * longer matters. The rows are in the database, so a timer set before a restart fires
 * after it. A loop with an `AbortSignal`, not `setInterval`: polls never overlap.
 *
 * @example
 * const poller = createTimerPoller({ store, decider, clock: () => new Date() });
 * poller.start(); ... await poller.stop();
 */
export function createTimerPoller(options: TimerPollerOptions): TimerPoller {
  const { store, clock } = options;
  const intervalMs = options.intervalMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 30_000;
  const batch = options.batch ?? 100;
  let controller: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let lastError: string | undefined;

  // A timer fires as the tenant whose saga set it.
  const fire = (timer: DueTimer) =>
    timer.tenant === '' ? fireIn(timer) : runInTenant(timer.tenant, () => fireIn(timer));
  const fireIn = (timer: DueTimer) =>
    store.transaction(async (tx) => {
      const orderId = timer.stream.slice(STREAM_PREFIX.length);
      const kind = placementTimerKind.parse(timer.kind);
      const command = FirePlacementTimer.create({ orderId, kind, at: clock().toISOString() });
      await recordPlacement(options, tx, command, metadataFromTimer(timer.stream, timer.kind));
      await deleteFiredTimer(tx, store.schema, timer);
    });

  const pollOnce = async () => {
    const now = clock();
    const due = await leaseDueTimers(store.executor, store.schema, {
      kinds: sagaTimerKinds,
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      limit: batch,
    });
    let fired = 0;
    let failure: unknown;
    for (const timer of due) {
      if (!timer.stream.startsWith(STREAM_PREFIX)) continue;
      try {
        await fire(timer);
        fired++;
      } catch (error) {
        // The others still fire; this one comes back when its lease ends.
        failure ??= error;
      }
    }
    if (failure) throw failure;
    return fired;
  };

  const run = async (signal: AbortSignal) => {
    while (!signal.aborted) {
      let full = false;
      try {
        full = (await pollOnce()) === batch;
        lastError = undefined;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (full) continue;
      await sleep(intervalMs, undefined, { signal }).catch(() => {});
    }
  };

  return {
    start() {
      if (controller) return;
      controller = new AbortController();
      loop = run(controller.signal);
    },
    async stop() {
      controller?.abort();
      await loop;
      controller = undefined;
      loop = undefined;
    },
    pollOnce,
    get lastError() {
      return lastError;
    },
  };
}
