// The examples of docs/guide.md and the package README for `readAll` and `subscribe` are
// cut from the regions below, and the tests run them on PGlite (issue #6: their options
// were described only in the types).
import { type EventStore, type Position, type RecordedEvent, START_POSITION } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/open-test-database.ts';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store.ts';

// #region read-all
/** Adds up the totals of orders placed after `after`; returns where to go on from. */
async function sumPlacedOrders(
  store: EventStore,
  after: Position,
): Promise<{ total: number; last: Position }> {
  let total = 0;
  let last = after;
  for await (const event of store.readAll({
    after, // strictly after this position; omit it to start at the beginning
    category: 'order', // only streams named `order-…`
    types: ['OrderPlaced'], // only these event types
    maxCount: 1000, // stop after this many events (default: no limit)
    pageSize: 200, // events per round trip (default 500)
  })) {
    total += (event.data as { total: number }).total;
    last = event.position; // pass it as `after` next time to go on from here
  }
  return { total, last };
}
// #endregion read-all

// #region subscribe
/**
 * Follows placed orders as they commit: catches up first, then waits for new commits. A
 * subscription never ends by itself, not even when it has caught up; aborting its signal
 * ends it (the loop then finishes normally), so `stop()` aborts and waits for the loop.
 */
function followPlacedOrders(
  store: EventStore,
  onOrder: (event: RecordedEvent) => Promise<void>,
): { stop(): Promise<void> } {
  const controller = new AbortController();
  const loop = (async () => {
    const options = { category: 'order', types: ['OrderPlaced'], signal: controller.signal };
    for await (const event of store.subscribe(options)) await onOrder(event);
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
// #endregion subscribe

const placed = (total: number) => ({ type: 'OrderPlaced', data: { total } });

describe('readAll and subscribe, as the docs show them', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await openTestDatabase({ kind: 'pglite' });
    store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
  });
  afterAll(async () => {
    await store?.close();
    await db?.dispose();
  });

  it('given orders and other events, when summing, then only placed orders count, and the last position resumes', async () => {
    await store.append('order-1', [placed(10), { type: 'OrderShipped', data: {} }]);
    await store.append('invoice-1', [placed(1000)]); // another category: left out
    await store.append('order-2', [placed(5)]);
    const first = await sumPlacedOrders(store, START_POSITION);
    expect(first.total).toBe(15);

    await store.append('order-3', [placed(7)]);
    const next = await sumPlacedOrders(store, first.last);
    expect(next.total).toBe(7);
    expect(next.last > first.last).toBe(true);
  });

  it('given a subscription, when an order commits, then it arrives; when stopped, then the loop ends', async () => {
    const seen: number[] = [];
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const following = followPlacedOrders(store, async (event) => {
      const { total } = event.data as { total: number };
      seen.push(total);
      if (total === 42) arrived();
    });
    await store.append('order-4', [placed(42)]);
    await arrival;
    await following.stop();
    expect(seen).toContain(42);
    expect(seen).not.toContain(1000);
  });

  it('given an aborted signal, when reading all, then readAll throws the abort reason', async () => {
    const controller = new AbortController();
    controller.abort();
    const read = async () => {
      for await (const _ of store.readAll({ signal: controller.signal })) break;
    };
    await expect(read()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
