import { type RecordedEvent, runInTenant } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { backendsFor } from '../../test-support/processor-runner.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { isolateTenants } from '../executor/tenant-isolated-executor.ts';
import { NotMigratedError } from '../not-migrated-error.ts';
import { openTestDatabase } from '../testing/open-test-database.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

// Concurrent readStream calls read their forward pages in one statement per batch
// (stream-page-batches.ts). Each call must get exactly what it gets read alone.

const databaseUrl = inject('databaseUrl');

const noted = (n: number) => ({ type: 'Noted', data: { n } });

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The executor, counting the statements sent through `query`. */
function counting(executor: SqlExecutor): SqlExecutor & { readonly statements: string[] } {
  const statements: string[] = [];
  return {
    ...executor,
    statements,
    query: (sql, params) => {
      statements.push(sql);
      return executor.query(sql, params);
    },
  };
}

describe.each(backendsFor(databaseUrl))('batched stream reads on $kind', (backend) => {
  it('given streams of 0 to 1,200 events, when 64 reads start together (the same stream twice, from a version, with a count, a stream with no events), then each returns what it returns alone, the first pages in one statement', async () => {
    await using db = await openTestDatabase(backend);
    const writer = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    for (let s = 0; s < 40; s++) {
      await writer.append(
        `cart-${s}`,
        Array.from({ length: 1 + (s % 7) }, (_, n) => noted(n)),
      );
    }
    await writer.append(
      'long-1',
      Array.from({ length: 1_200 }, (_, n) => noted(n)),
    );
    await writer.close();

    const reads: Array<[string, { fromVersion?: number; maxCount?: number }]> = [
      ['long-1', {}],
      ['cart-3', {}],
      ['cart-3', {}],
      ['cart-6', { fromVersion: 4 }],
      ['cart-6', { maxCount: 2 }],
      ['cart-5', { fromVersion: 2, maxCount: 3 }],
      ['none-1', {}],
      ['cart-13', { fromVersion: 9 }],
    ];
    for (let s = 0; reads.length < 64; s++) reads.push([`cart-${s % 40}`, {}]);

    const alone = createPostgresEventStore({
      executor: db.executor,
      schema: db.schema,
      readBatch: { enabled: false },
    });
    const expected: RecordedEvent[][] = [];
    for (const [stream, options] of reads) {
      expected.push(await collect(alone.readStream(stream, options)));
    }

    const executor = counting(db.executor);
    const batched = createPostgresEventStore({
      executor,
      schema: db.schema,
      readBatch: { maxConcurrentBatches: 1 },
    });
    const got = await Promise.all(
      reads.map(([stream, options]) => collect(batched.readStream(stream, options))),
    );
    expect(got).toEqual(expected);
    expect(got[0]).toHaveLength(1_200);
    expect(got[6]).toEqual([]);
    // The 64 first pages in one statement; long-1's second and third pages (pageSize 500)
    // each asked for alone, as readStream's own query.
    expect(executor.statements.length).toBe(3);
    expect(executor.statements[0]).toContain('unnest(');
    expect(executor.statements.slice(1).some((sql) => sql.includes('unnest('))).toBe(false);
    await batched.close();
    await alone.close();
  });

  it('given two tenants with the same stream names on an isolated executor, when both read at once, then each reads only its own events', async () => {
    await using db = await openTestDatabase(backend);
    const executor = isolateTenants(db.executor);
    const store = createPostgresEventStore({ executor, schema: db.schema });
    for (const tenant of ['acme', 'globex']) {
      await runInTenant(tenant, async () => {
        for (let s = 0; s < 8; s++) {
          await store.append(`cart-${s}`, [noted(s), { type: `${tenant}-only`, data: {} }]);
        }
      });
    }
    const reads = ['acme', 'globex'].flatMap((tenant) =>
      Array.from({ length: 8 }, (_, s) =>
        runInTenant(tenant, () => collect(store.readStream(`cart-${s}`))).then((events) => ({
          tenant,
          types: events.map((event) => event.type),
        })),
      ),
    );
    for (const { tenant, types } of await Promise.all(reads)) {
      expect(types).toEqual(['Noted', `${tenant}-only`]);
    }
    await store.close();
  });

  it('given a read whose signal is aborted while it waits for its batch, then it rejects with the reason and the others are read', async () => {
    await using db = await openTestDatabase(backend);
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await store.append('cart-1', [noted(1)]);
    const controller = new AbortController();
    const waiting = store
      .readStream('cart-1', { signal: controller.signal })
      [Symbol.asyncIterator]();
    const next = waiting.next();
    const other = collect(store.readStream('cart-1'));
    const reason = new Error('the caller gave up');
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    expect((await other).map((event) => event.data)).toEqual([{ n: 1 }]);
    await store.close();
  });

  it('given reads in flight, when the store closes, then close() resolves only after each has its events, and a read after close() still runs', async () => {
    await using db = await openTestDatabase(backend);
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    for (let s = 0; s < 16; s++) await store.append(`cart-${s}`, [noted(s)]);
    const finished: number[] = [];
    const reads = Array.from({ length: 16 }, (_, s) =>
      collect(store.readStream(`cart-${s}`)).then((events) => {
        finished.push(s);
        return events.map((event) => event.data);
      }),
    );
    // A store that owns its connection closes it right after this: reads left queued
    // would find it closed.
    await store.close();
    expect(finished).toHaveLength(16);
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 16 }, (_, s) => [{ n: s }]));
    expect((await collect(store.readStream('cart-3'))).map((event) => event.data)).toEqual([
      { n: 3 },
    ]);
  });

  it('given a schema never migrated, when reads start together, then each fails as not migrated', async () => {
    await using db = await openTestDatabase({ ...backend, migrate: false });
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const reads = await Promise.allSettled(
      ['cart-1', 'cart-2', 'cart-3'].map((stream) => collect(store.readStream(stream))),
    );
    for (const read of reads) {
      expect(read.status).toBe('rejected');
      expect((read as PromiseRejectedResult).reason).toBeInstanceOf(NotMigratedError);
    }
    await store.close();
  });
});
