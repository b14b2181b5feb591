import type { Position } from '@duet/core';
import { DEFAULT_APPEND_LIMITS } from '@duet/core/adapters';
import { describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../test-support/stress.ts';
import { ALL_MIGRATIONS } from '../migrations/all-migrations.ts';
import { migrate } from '../migrations/migrate.ts';
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

// Since migration 009 the store on PostgreSQL calls append_events_quiet and NOTIFYs after
// the commit (commit-notifier.ts), so appends of several processes no longer commit one at
// a time; on PGlite it calls append_events, which NOTIFYs in the append's transaction.
// Either way a listener gets the store's committed positions, and nothing for a rollback.
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
  it("given a listener, when append_events_quiet runs on its own and then the store appends, then the first NOTIFY is the store's, carrying its position", async () => {
    await using listening = await openListening(backend);
    const { db, store, payloads } = listening;
    // The quiet function alone: stored, and (NOTIFYs arriving in commit order) not notified.
    const bare = await prepareAppend('bare-1', [{ type: 'A', data: 1 }], undefined, defaults);
    const [outcome] = await appendBatch(db.executor, db.schema, [bare], 'after-commit');
    expect(outcome?.ok).toBe(true);
    const { position } = await store.append('feed-1', [{ type: 'A', data: 2 }]);
    await waitUntil(async () => payloads.length > 0);
    expect(payloads[0]).toBe(position);
  });

  it('given append_events as processes on the code from before migration 009 call it, then it still notifies in its transaction, carrying its position', async () => {
    await using listening = await openListening(backend);
    const { db, payloads } = listening;
    const old = await prepareAppend('old-1', [{ type: 'A', data: 1 }], undefined, defaults);
    const [outcome] = await appendBatch(db.executor, db.schema, [old], 'in-transaction');
    if (!outcome?.ok) throw new Error('the append failed');
    await waitUntil(async () => payloads.length > 0);
    expect(payloads).toEqual([outcome.result.position]);
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

describe.runIf(databaseUrl !== null)('NOTIFY on a PostgreSQL schema before migration 009', () => {
  it('given a schema at version 8 (no append_events_quiet), when the store appends alone, in batches and in a transaction, then every append is stored through append_events and a listener is woken with each position', async () => {
    await using db = await openTestDatabase({
      kind: 'postgres',
      url: databaseUrl!,
      migrate: false,
    });
    await migrate(db.executor, { schema: db.schema }, ALL_MIGRATIONS.slice(0, 8));
    const payloads: string[] = [];
    const stop = await db.executor.listen(eventsChannel(db.schema), (payload) => {
      if (payload !== null) payloads.push(payload);
    });
    try {
      await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
      const alone = await store.append('old-1', [{ type: 'A', data: 1 }]);
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.append(`old-${i % 4}`, [{ type: 'A', data: i }]),
        ),
      );
      const inTransaction = await store.transaction((tx) =>
        tx.append('old-tx', [{ type: 'A', data: 'tx' }]),
      );
      await waitUntil(async () => payloads.includes(inTransaction.position));
      expect(payloads).toContain(alone.position);
      const highest = batch
        .map((result) => result.position)
        .sort()
        .at(-1)!;
      expect(payloads.some((payload) => payload >= highest)).toBe(true);
    } finally {
      await stop();
    }
  });
});
