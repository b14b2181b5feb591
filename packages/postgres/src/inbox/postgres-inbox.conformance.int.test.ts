import { runInboxConformance } from '@duet/core/testing';
import { describe, expect, inject, it } from 'vitest';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresInbox } from './postgres-inbox.ts';

// The core Inbox contract, on the file's shared PGlite and on PostgreSQL.
function inboxOn(kind: 'pglite' | 'postgres', url?: string) {
  return async () => {
    const db = await openTestDatabase(url === undefined ? { kind } : { kind, url });
    return {
      inbox: createPostgresInbox({ executor: db.executor, schema: db.schema }),
      dispose: () => db.dispose(),
    };
  };
}

runInboxConformance({ name: 'PostgreSQL inbox on PGlite', create: inboxOn('pglite') });

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) {
  console.warn('skipping the PostgreSQL inbox conformance run: no PostgreSQL reachable');
} else {
  runInboxConformance({
    name: 'PostgreSQL inbox on PostgreSQL',
    create: inboxOn('postgres', databaseUrl),
  });
}

// A consumer whose effects are events of its own store: the same contract, and the events
// it appends commit with the inbox row.
runInboxConformance({
  name: 'PostgreSQL inbox on a store (PGlite)',
  create: async () => {
    const db = await openTestDatabase({ kind: 'pglite' });
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    return {
      inbox: createPostgresInbox({ store }),
      dispose: async () => {
        await store.close();
        await db.dispose();
      },
    };
  },
});

describe('PostgreSQL inbox on a store', () => {
  it('given a handler that appends and then throws, then neither the events nor the inbox row remain; run again, the events are appended once', async () => {
    await using db = await openTestDatabase({ kind: 'pglite' });
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const inbox = createPostgresInbox({ store });
    const entry = { messageId: 'm-1', stream: 'order-1', streamVersion: 1, previousVersion: 0 };
    const answer = (fail: boolean) =>
      inbox.run('stock', [entry], async (_entry, _index, tx) => {
        await tx.append('stock_reservation-1', [{ type: 'StockReserved', data: { orderId: '1' } }]);
        if (fail) throw new Error('after the append');
      });
    await expect(answer(true)).rejects.toThrow('after the append');
    expect(await store.streamInfo('stock_reservation-1')).toBeNull();
    expect(await answer(false)).toEqual(['handled']);
    expect(await answer(false)).toEqual(['duplicate']);
    expect((await store.streamInfo('stock_reservation-1'))?.version).toBe(1);
  });
});
