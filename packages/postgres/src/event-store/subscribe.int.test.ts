import type { RecordedEvent } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the PostgreSQL subscribe tests: not reachable');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

/** Collects a subscription's events in the background; `until` waits for a count. */
function follow(iterable: AsyncIterable<RecordedEvent>) {
  const events: RecordedEvent[] = [];
  const done = (async () => {
    for await (const event of iterable) events.push(event);
  })();
  const until = async (count: number, timeoutMs = 5_000) => {
    const start = Date.now();
    while (events.length < count) {
      if (Date.now() - start > timeoutMs) {
        throw new Error(`only ${events.length} of ${count} events within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { events, done, until };
}

describe.each(backends)('subscribe on $kind', (backend) => {
  it('given past events and a long poll interval, when new events commit, then NOTIFY delivers them at once, and abort ends the subscription', async () => {
    await using db = await openTestDatabase(backend);
    // A poll interval far beyond the test's patience: only NOTIFY can deliver in time.
    await using store = createPostgresEventStore({
      executor: db.executor,
      schema: db.schema,
      pollIntervalMs: 600_000,
    });
    await store.append('feed-1', [{ type: 'Old', data: 1 }]);
    const abort = new AbortController();
    const sub = follow(store.subscribe({ signal: abort.signal }));
    await sub.until(1);
    await store.append('feed-1', [{ type: 'New', data: 2 }]);
    await store.append('feed-2', [{ type: 'New', data: 3 }]);
    await sub.until(3, 2_000);
    expect(sub.events.map((e) => e.data)).toEqual([1, 2, 3]);
    abort.abort();
    await sub.done;
  });

  it('given a subscription from a position with a category filter, when events of other categories commit, then only later matching ones come', async () => {
    await using db = await openTestDatabase(backend);
    await using store = createPostgresEventStore({
      executor: db.executor,
      schema: db.schema,
      pollIntervalMs: 50,
    });
    const { position } = await store.append('want-1', [{ type: 'A', data: 1 }]);
    const abort = new AbortController();
    const sub = follow(
      store.subscribe({ after: position, category: 'want', signal: abort.signal }),
    );
    await store.append('other-1', [{ type: 'A', data: 2 }]);
    await store.append('want-2', [{ type: 'A', data: 3 }]);
    await sub.until(1);
    abort.abort();
    await sub.done;
    expect(sub.events.map((e) => e.data)).toEqual([3]);
  });
});

describe.runIf(databaseUrl !== null)('subscribe on postgres, LISTEN connection lost', () => {
  it('given a live subscription, when its LISTEN backend is terminated, then it reconnects, re-reads and still gets every event', async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    await using store = createPostgresEventStore({
      executor: db.executor,
      schema: db.schema,
      pollIntervalMs: 600_000,
    });
    const abort = new AbortController();
    const sub = follow(store.subscribe({ signal: abort.signal }));
    await store.append('live-1', [{ type: 'X', data: 1 }]);
    await sub.until(1);
    const { rows } = await db.executor.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE query = $1 AND pid <> pg_backend_pid()`,
      [`LISTEN "${db.schema}_events"`],
    );
    expect(rows).toEqual([{ terminated: true }]);
    // Appended while the listener may be down: the re-read after reconnecting finds it.
    await store.append('live-1', [{ type: 'X', data: 2 }]);
    await sub.until(2, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await store.append('live-1', [{ type: 'X', data: 3 }]);
    await sub.until(3, 5_000);
    expect(sub.events.map((e) => e.data)).toEqual([1, 2, 3]);
    abort.abort();
    await sub.done;
  });
});
