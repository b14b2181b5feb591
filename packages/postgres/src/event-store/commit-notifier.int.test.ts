import type { Position } from '@duet/core';
import { DEFAULT_APPEND_LIMITS } from '@duet/core/adapters';
import { describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../test-support/stress.ts';
import { eventsChannel } from '../schema-name.ts';
import { openTestDatabase } from '../testing/index.ts';
import { appendBatch } from './append-batch.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';
import { prepareAppend } from './prepare-append.ts';

const databaseUrl = inject('databaseUrl');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

const defaults = { registry: undefined, limits: DEFAULT_APPEND_LIMITS, now: () => new Date() };

// Since migration 009 the store NOTIFYs after the commit instead of inside append_events
// (commit-notifier.ts): appends of several processes no longer commit one at a time.
/** A test database with a listener on its store's channel, collecting the payloads. */
async function openListening(backend: (typeof backends)[number]) {
  const db = await openTestDatabase(backend);
  const payloads: string[] = [];
  const stop = await db.executor.listen(eventsChannel(db.schema), (payload) => {
    if (payload !== null) payloads.push(payload);
  });
  const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
  return {
    db,
    store,
    payloads,
    async [Symbol.asyncDispose]() {
      await store.close();
      await stop();
      await db.dispose();
    },
  };
}

describe.each(backends)('NOTIFY after commit on $kind', (backend) => {
  it("given a listener, when append_events runs on its own and then the store appends, then the first NOTIFY is the store's, carrying its position", async () => {
    await using listening = await openListening(backend);
    const { db, store, payloads } = listening;
    // The function alone: stored, and (NOTIFYs arriving in commit order) not notified.
    const bare = await prepareAppend('bare-1', [{ type: 'A', data: 1 }], undefined, defaults);
    const [outcome] = await appendBatch(db.executor, db.schema, [bare]);
    expect(outcome?.ok).toBe(true);
    const { position } = await store.append('feed-1', [{ type: 'A', data: 2 }]);
    await waitUntil(async () => payloads.length > 0);
    expect(payloads[0]).toBe(position);
  });

  it('given 200 concurrent appends and a transaction, when they commit, then a NOTIFY carries the highest position, and every payload is a committed position', async () => {
    await using listening = await openListening(backend);
    const { store, payloads } = listening;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.append(`feed-${i % 20}`, [{ type: 'A', data: i }]),
      ),
    );
    const inTransaction = await store.transaction((tx) =>
      tx.append('feed-tx', [{ type: 'A', data: 'tx' }]),
    );
    const committed = new Set<Position>([
      ...results.map((result) => result.position),
      inTransaction.position,
    ]);
    await waitUntil(async () => payloads.includes(inTransaction.position));
    for (const payload of payloads) expect(committed.has(payload as Position)).toBe(true);
  });

  it('given a transaction that rolls back, then nothing is notified for it', async () => {
    await using listening = await openListening(backend);
    const { store, payloads } = listening;
    await expect(
      store.transaction(async (tx) => {
        await tx.append('rolled-back', [{ type: 'A', data: 1 }]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // NOTIFYs arrive in commit order: the next one is the later append's.
    const { position } = await store.append('kept', [{ type: 'A', data: 2 }]);
    await waitUntil(async () => payloads.length > 0);
    expect(payloads).toEqual([position]);
  });
});
