import { ConcurrencyError, type RecordedEvent } from '@duet/core';
import { positionParts } from '@duet/core/adapters';
import { describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../testing/index.ts';
import { LateAppendError } from './late-append-error.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';
import { appendLockSql } from './read-horizon.ts';
import { streamLockKey } from './stream-lock.ts';

// The per-stream lock of append_events (stream-lock.ts) and the guard for caller
// transactions that got their id before appending (late-append-error.ts).

const databaseUrl = inject('databaseUrl');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Resolves when `open` is called: lets a test hold a transaction at a chosen point. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe.each(backends)('stream locks on $kind', (backend) => {
  it('given a transaction, when it takes the append lock and a stream lock, then it still has no transaction id', async () => {
    await using db = await openTestDatabase(backend);
    const xid = await db.executor.transaction(async (tx) => {
      await tx.query(appendLockSql(db.schema));
      await tx.query(`SELECT pg_advisory_xact_lock(${streamLockKey(db.schema, '$1::text')})`, [
        'cart-1',
      ]);
      const { rows } = await tx.query<{ xid: string | null }>(
        'SELECT pg_current_xact_id_if_assigned()::text AS xid',
      );
      return rows[0]!.xid;
    });
    // If locking assigned an id, a transaction that waited for a stream lock would keep
    // the id it had before waiting: older than the holder's.
    expect(xid).toBeNull();
  });

  it('given a caller transaction that wrote before appending, when no newer transaction touched the stream, then its append is stored', async () => {
    await using db = await openTestDatabase(backend);
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await store.append('cart-1', [{ type: 'Added', data: 1 }]);
    await store.transaction(async (tx) => {
      await tx.query('SELECT pg_current_xact_id()');
      await tx.append('cart-1', [{ type: 'Added', data: 2 }]);
      await tx.append('cart-2', [{ type: 'Added', data: 3 }]);
      await tx.append('cart-1', [{ type: 'Added', data: 4 }]);
    });
    const all = await collect(store.readAll());
    expect(all.map((event) => [event.stream, event.streamVersion])).toEqual([
      ['cart-1', 1],
      ['cart-1', 2],
      ['cart-2', 1],
      ['cart-1', 3],
    ]);
  });
});

describe.skipIf(databaseUrl === null)('stream locks on postgres, two transactions', () => {
  const open = () => openTestDatabase({ kind: 'postgres', url: databaseUrl as string });

  it('given a caller transaction that got its id first, when a newer transaction appends to the stream and commits before it, then its append fails with a ConcurrencyError and nothing is stored; a new transaction succeeds', async () => {
    await using db = await open();
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await store.append('cart-1', [{ type: 'Added', data: 1 }]);
    const hasId = gate();
    const newerCommitted = gate();
    const older = store.transaction(async (tx) => {
      await tx.query('SELECT pg_current_xact_id()');
      hasId.open();
      await newerCommitted.opened;
      await tx.append('cart-1', [{ type: 'Added', data: 'older' }], { expectedVersion: 2 });
    });
    await hasId.opened;
    await store.append('cart-1', [{ type: 'Added', data: 'newer' }], { expectedVersion: 1 });
    newerCommitted.open();

    const error = await older.then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(LateAppendError);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ code: 'CONCURRENCY', stream: 'cart-1', expected: 2, actual: 2 });

    await store.transaction(async (tx) => {
      await tx.query('SELECT pg_current_xact_id()');
      await tx.append('cart-1', [{ type: 'Added', data: 'retried' }], { expectedVersion: 2 });
    });
    const all = await collect(store.readAll());
    expect(all.map((event) => [event.streamVersion, event.data])).toEqual([
      [1, 1],
      [2, 'newer'],
      [3, 'retried'],
    ]);
  });

  it('given a transaction holding a stream, when a batch waits for it and a reader reads meanwhile, then the reader is not blocked, and the batch commits after it with a larger transaction id', async () => {
    await using db = await open();
    await using store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await store.append('cart-0', [{ type: 'Added', data: 0 }]);
    const appended = gate();
    const release = gate();
    const holder = store.transaction(async (tx) => {
      const result = await tx.append('cart-1', [{ type: 'Added', data: 'holder' }]);
      appended.open();
      await release.opened;
      return result;
    });
    await appended.opened;
    // One batch: a stream nobody holds, then the held one.
    const waiting = Promise.all([
      store.append('cart-0', [{ type: 'Added', data: 'batch' }]),
      store.append('cart-1', [{ type: 'Added', data: 'batch' }]),
    ]);
    await waitUntilLockWait(db.executor, db.schema, 'cart-1');
    // The reader stops below the holder (an appender) and returns at once: the waiting
    // batch has no transaction id yet, so it holds nothing back.
    const seen: RecordedEvent[] = await collect(store.readAll());
    expect(seen.map((event) => event.data)).toEqual([0]);
    release.open();
    const held = await holder;
    const [zero, one] = await waiting;
    const heldTx = positionParts(held.position).transactionId;
    expect(positionParts(zero.position).transactionId).toBeGreaterThan(heldTx);
    expect(positionParts(one.position).transactionId).toBeGreaterThan(heldTx);
    const all = await collect(store.readAll());
    expect(all.map((event) => [event.stream, event.streamVersion])).toEqual([
      ['cart-0', 1],
      ['cart-1', 1],
      ['cart-0', 2],
      ['cart-1', 2],
    ]);
  });
});

/** Waits until a backend waits for the stream lock of `stream` (other tests share the server). */
async function waitUntilLockWait(
  executor: { query: <Row>(sql: string, params?: readonly unknown[]) => Promise<{ rows: Row[] }> },
  schema: string,
  stream: string,
): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await executor.query<{ n: number }>(
      `WITH k AS (SELECT ${streamLockKey(schema, '$1::text')} AS key)
       SELECT count(*)::integer AS n FROM pg_locks AS l, k
        WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objsubid = 1
          AND l.classid::text::bigint = (k.key >> 32) & 4294967295
          AND l.objid::text::bigint = k.key & 4294967295`,
      [stream],
    );
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no backend ever waited for the lock of ${stream}`);
}
