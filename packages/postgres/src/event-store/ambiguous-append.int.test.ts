import { type NewEvent, newEventId, type RecordedEvent } from '@duet/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgExecutor } from '../executor/pg-executor.ts';
import { openTestDatabase, startPgFaultProxy, type TestDatabase } from '../testing/index.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

// Issue 13, scenario S3 at the store: the connection is cut after the append's COMMIT and
// before its reply reaches the client (a TCP proxy drops the reply). The client cannot
// know whether the events are stored; it retries the same append, and must neither store
// them twice nor be told something other than what happened.
const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the ambiguous-append tests: no PostgreSQL');

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe.skipIf(databaseUrl === null)('an append whose reply is lost after COMMIT', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
  });
  afterAll(() => db?.dispose());

  it('given a cut after COMMIT, when the same append (same ids, same expected version) is retried, then it resolves with the original result and the events are stored once', async () => {
    await using proxy = await startPgFaultProxy(databaseUrl!);
    await using viaProxy = createPgExecutor({ connectionString: proxy.url, max: 1 });
    const store = createPostgresEventStore({ executor: viaProxy, schema: db.schema });
    const stream = `cart-${newEventId()}`;
    const events: NewEvent[] = [
      { id: newEventId(), type: 'CartOpened', data: { cartId: stream } },
      { id: newEventId(), type: 'ItemAdded', data: { sku: 'a', quantity: 2 } },
    ];

    const cut = proxy.cutAfterCommitOf('append_events');
    const lost = await store
      .append(stream, events, { expectedVersion: 'no_stream' })
      .then(() => undefined, (error: unknown) => error);
    await cut;
    // The client saw a connection error, not a result and not a domain error.
    expect(lost).toBeInstanceOf(Error);
    expect((lost as Error).message).toMatch(/Connection terminated|ECONNRESET|closed/i);

    // The retry goes out on a fresh connection (the pool dropped the broken one).
    const retried = await store.append(stream, events, { expectedVersion: 'no_stream' });
    const direct = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const stored: RecordedEvent[] = await collect(direct.readStream(stream));
    expect(stored.map((event) => event.id)).toEqual(events.map((event) => event.id));
    // What the lost reply would have said: the versions and positions of the first commit.
    expect(retried).toEqual({
      stream,
      streamVersion: 2,
      position: stored[1]!.position,
      positions: stored.map((event) => event.position),
    });
    await store.close();
  });

  it('given a cut after COMMIT, when the retry carries the same ids with other data, then DuplicateEventError and nothing more is stored', async () => {
    await using proxy = await startPgFaultProxy(databaseUrl!);
    await using viaProxy = createPgExecutor({ connectionString: proxy.url, max: 1 });
    const store = createPostgresEventStore({ executor: viaProxy, schema: db.schema });
    const stream = `cart-${newEventId()}`;
    const event: NewEvent = { id: newEventId(), type: 'CartOpened', data: { cartId: stream } };

    const cut = proxy.cutAfterCommitOf('append_events');
    await expect(store.append(stream, [event], { expectedVersion: 'no_stream' })).rejects.toThrow();
    await cut;
    await expect(
      store.append(stream, [{ ...event, data: { cartId: 'other' } }], {
        expectedVersion: 'no_stream',
      }),
    ).rejects.toMatchObject({ code: 'DUPLICATE_EVENT', eventId: event.id });
    expect(await collect(store.readStream(stream))).toHaveLength(1);
    await store.close();
  });
});
