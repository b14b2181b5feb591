import {
  ConcurrencyError,
  createEventRegistry,
  DuplicateEventError,
  defineEvent,
  LimitExceededError,
  newEventId,
  type RecordedEvent,
  type Schema,
  ValidationError,
} from '@duet/core';
import { positionParts } from '@duet/core/adapters';
import { describe, expect, inject, it } from 'vitest';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';
import type { PostgresEventStoreOptions } from './postgres-event-store-options.ts';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the PostgreSQL event store tests: not reachable');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** A Standard Schema without a library: `check` says whether a value is valid. */
function schemaOf<T>(check: (value: unknown) => boolean): Schema<T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value: unknown) =>
        check(value) ? { value: value as T } : { issues: [{ message: 'invalid' }] },
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

async function storedCount(executor: SqlExecutor, schema: string): Promise<number> {
  const { rows } = await executor.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM "${schema}".events`,
  );
  return rows[0]!.n;
}

describe.each(backends)('postgres event store on $kind', (backend) => {
  const open = async (options: Partial<PostgresEventStoreOptions> = {}) => {
    const db = await openTestDatabase(backend);
    const store = createPostgresEventStore({
      executor: db.executor,
      schema: db.schema,
      ...options,
    });
    return {
      db,
      store,
      async [Symbol.asyncDispose]() {
        await store.close();
        await db.dispose();
      },
    };
  };

  it('given one batch of valid and conflicting appends to different streams, when committed, then only the conflicting ones fail and the rest share one transaction', async () => {
    // One slot, so the whole burst forms one batch (two slots would share it between them).
    await using t = await open({ groupCommit: { maxConcurrentBatches: 1 } });
    await t.store.append('order-taken', [{ type: 'Placed', data: { n: 0 } }]);
    const attempts = await Promise.allSettled([
      t.store.append('order-a', [{ type: 'Placed', data: { n: 1 } }], {
        expectedVersion: 'no_stream',
      }),
      t.store.append('order-b', [{ type: 'Placed', data: { n: 2 } }], { expectedVersion: 5 }),
      t.store.append('order-c', [
        { type: 'Placed', data: { n: 3 } },
        { type: 'Paid', data: {} },
      ]),
      t.store.append('order-taken', [{ type: 'Placed', data: { n: 4 } }], {
        expectedVersion: 'no_stream',
      }),
      t.store.append('order-d', [{ type: 'Placed', data: { n: 5 } }], {
        expectedVersion: 'any',
      }),
    ]);
    const [a, b, c, taken, d] = attempts;
    expect(b).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrencyError) });
    expect(taken).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrencyError) });
    const bError = (b as PromiseRejectedResult).reason as ConcurrencyError;
    expect([bError.stream, bError.expected, bError.actual]).toEqual(['order-b', 5, 0]);
    const takenError = (taken as PromiseRejectedResult).reason as ConcurrencyError;
    expect([takenError.stream, takenError.expected, takenError.actual]).toEqual([
      'order-taken',
      'no_stream',
      1,
    ]);
    const succeeded = [a, c, d].map((settled) => {
      expect(settled.status).toBe('fulfilled');
      return (settled as PromiseFulfilledResult<{ position: string }>).value;
    });
    // One batch = one transaction: every successful append carries the same transaction id.
    const transactionIds = new Set(
      succeeded.map((result) => positionParts(result.position as never).transactionId),
    );
    expect(transactionIds.size).toBe(1);
    expect(await t.store.streamInfo('order-b')).toBeNull();
    expect((await collect(t.store.readStream('order-taken'))).length).toBe(1);
    expect((await collect(t.store.readStream('order-c'))).map((e) => e.type)).toEqual([
      'Placed',
      'Paid',
    ]);
  });

  it('given a batch that fails as a whole, when it is retried, then each append is retried alone and succeeds', async () => {
    await using t = await open();
    let failures = 0;
    const flaky: SqlExecutor = {
      ...t.db.executor,
      query: async <Row>(sql: string, params?: readonly unknown[]) => {
        if (sql.includes('append_events') && failures === 0) {
          failures++;
          throw Object.assign(new Error('simulated serialization failure'), { code: '40001' });
        }
        return t.db.executor.query<Row>(sql, params);
      },
    };
    const store = createPostgresEventStore({ executor: flaky, schema: t.db.schema });
    const results = await Promise.all(
      ['x-1', 'x-2', 'x-3'].map((stream) => store.append(stream, [{ type: 'X', data: stream }])),
    );
    expect(failures).toBe(1);
    expect(results.map((r) => r.streamVersion)).toEqual([1, 1, 1]);
    expect(await storedCount(t.db.executor, t.db.schema)).toBe(3);
    await store.close();
  });

  it('given appends fired together, some with ids, then one append_events call commits them in one transaction, only those with ids ask for the id probe, and each result names its stored events (issue 14)', async () => {
    await using t = await open();
    const batches: string[] = [];
    const spying: SqlExecutor = {
      ...t.db.executor,
      query: <Row>(sql: string, params?: readonly unknown[]) => {
        if (sql.includes('append_events')) batches.push(String(params?.[0]));
        return t.db.executor.query<Row>(sql, params);
      },
    };
    const store = createPostgresEventStore({ executor: spying, schema: t.db.schema });
    const withIds = [{ id: newEventId(), type: 'X', data: { n: 1 } }];
    const results = await Promise.all([
      store.append('y-1', [{ type: 'X', data: { n: 0 } }]),
      store.append('y-2', withIds),
      store.append('y-3', [
        { type: 'X', data: { n: 2 } },
        { type: 'X', data: { n: 3 } },
      ]),
    ]);
    expect(batches).toHaveLength(1);
    const items = JSON.parse(batches[0]!) as { stream: string; checkIds: boolean }[];
    expect(items.map((item) => [item.stream, item.checkIds])).toEqual([
      ['y-1', false],
      ['y-2', true],
      ['y-3', false],
    ]);
    const transactions = new Set(
      results.flatMap((result) => result.positions.map((p) => positionParts(p).transactionId)),
    );
    expect(transactions.size).toBe(1);
    expect(results[1]!.ids).toEqual([withIds[0]!.id]);
    for (const result of results) {
      const stored = await collect(store.readStream(result.stream));
      expect(stored.map((event) => event.id)).toEqual(result.ids);
      expect(stored.map((event) => event.position)).toEqual(result.positions);
    }
    await store.close();
  });

  it('given a stored append with ids, when retried with the same content, then the original result returns and nothing is stored twice', async () => {
    await using t = await open();
    const events = [
      { id: newEventId(), type: 'Placed', data: { total: 10 } },
      { id: newEventId(), type: 'Paid', data: { amount: 10 } },
    ];
    const first = await t.store.append('order-1', events, { expectedVersion: 'no_stream' });
    const [retry, concurrentRetry] = await Promise.all([
      t.store.append('order-1', events, { expectedVersion: 'no_stream' }),
      t.store.append('order-1', events, { expectedVersion: 'no_stream' }),
    ]);
    expect(retry).toEqual(first);
    expect(concurrentRetry).toEqual(first);
    const changed = [events[0]!, { ...events[1]!, data: { amount: 11 } }];
    await expect(t.store.append('order-1', changed)).rejects.toBeInstanceOf(DuplicateEventError);
    expect(await storedCount(t.db.executor, t.db.schema)).toBe(2);
  });

  it('given v1 events stored, when read with a v2 definition, then they are upcast', async () => {
    await using t = await open();
    const V1 = defineEvent(
      'PriceSet',
      schemaOf<{ cents: number }>((v) => isRecord(v) && typeof v.cents === 'number'),
    );
    const V2 = defineEvent(
      'PriceSet',
      schemaOf<{ amount: number; currency: string }>(
        (v) => isRecord(v) && typeof v.amount === 'number',
      ),
      {
        version: 2,
        upcasters: {
          1: (data) => ({ amount: (data as { cents: number }).cents / 100, currency: 'EUR' }),
        },
      },
    );
    const writer = createPostgresEventStore({
      executor: t.db.executor,
      schema: t.db.schema,
      events: createEventRegistry([V1]),
    });
    await writer.append('price-1', [V1.create({ cents: 250 })]);
    await expect(
      writer.append('price-1', [{ type: 'PriceSet', data: { cents: 'free' } }]),
    ).rejects.toBeInstanceOf(ValidationError);
    await writer.close();
    const reader = createPostgresEventStore({
      executor: t.db.executor,
      schema: t.db.schema,
      events: createEventRegistry([V2]),
    });
    await reader.append('price-1', [V2.create({ amount: 3, currency: 'USD' })]);
    const read = await collect(reader.readStream('price-1'));
    expect(read.map((e: RecordedEvent) => [e.schemaVersion, e.data])).toEqual([
      [2, { amount: 2.5, currency: 'EUR' }],
      [2, { amount: 3, currency: 'USD' }],
    ]);
    const all = await collect(reader.readAll({ category: 'price' }));
    expect(all.map((e) => e.data)).toEqual(read.map((e) => e.data));
    await reader.close();
  });

  it('given bad options, when creating a store, then ValidationError names the option', async () => {
    await using t = await open();
    const executor = t.db.executor;
    const cases: [string, Record<string, unknown>][] = [
      ['pageSize', { pageSize: 0 }],
      ['pollIntervalMs', { pollIntervalMs: 1 }],
      ['schema', { schema: 'Not Safe' }],
      ['groupCommit.maxBatchSize', { groupCommit: { maxBatchSize: -1 } }],
      ['groupCommit.maxConcurrentBatches', { groupCommit: { maxConcurrentBatches: 1.5 } }],
      ['groupCommit.enabled', { groupCommit: { enabled: 'yes' } }],
      ['readBatch.maxBatchSize', { readBatch: { maxBatchSize: 0 } }],
      ['readBatch.maxConcurrentBatches', { readBatch: { maxConcurrentBatches: 65 } }],
      ['readBatch.enabled', { readBatch: { enabled: 1 } }],
      ['limits.maxEventBytes', { limits: { maxEventBytes: '1MB' } }],
      ['events', { events: {} }],
      ['now', { now: 'today' }],
      ['executor', { executor: { query: () => {} } }],
    ];
    for (const [option, bad] of cases) {
      const error = (() => {
        try {
          createPostgresEventStore({ executor, ...bad } as PostgresEventStoreOptions);
        } catch (e) {
          return e;
        }
      })();
      expect(error, option).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).subject).toBe(`option ${option}`);
    }
  });

  it('given bad input, when appending, then a typed error and nothing is stored', async () => {
    await using t = await open({ limits: { maxEventBytes: 200 } });
    const bad: [unknown, Promise<unknown>][] = [
      [ValidationError, t.store.append('bad-1', [{ type: 'X', data: 'nul \u0000 inside' }])],
      [ValidationError, t.store.append('bad-1', [{ type: 'X', data: 'lone \ud800' }])],
      [ValidationError, t.store.append('bad-1', [{ id: 'not-a-uuid', type: 'X', data: 1 }])],
      [ValidationError, t.store.append('bad-1', [{ type: 'X', data: 1 }], { expectedVersion: -1 })],
      [ValidationError, t.store.append('bad-1', [])],
      [ValidationError, t.store.append('', [{ type: 'X', data: 1 }])],
      [ValidationError, t.store.append('bad-1', [{ type: 'X', data: 1, metadata: 'x' as never }])],
      [LimitExceededError, t.store.append('bad-1', [{ type: 'X', data: 'x'.repeat(500) }])],
    ];
    for (const [errorClass, attempt] of bad) {
      await expect(attempt).rejects.toBeInstanceOf(errorClass);
    }
    const id = newEventId();
    await expect(
      t.store.append('bad-1', [
        { id, type: 'X', data: 1 },
        { id, type: 'X', data: 2 },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await storedCount(t.db.executor, t.db.schema)).toBe(0);
    expect(await t.store.streamInfo('bad-1')).toBeNull();
    // A text that merely mentions \u0000 is fine.
    await t.store.append('ok-1', [{ type: 'X', data: 'a backslash: \\u0000' }]);
    expect((await collect(t.store.readStream('ok-1')))[0]!.data).toBe('a backslash: \\u0000');
  });

  it('given appends in a caller transaction, when it rolls back, then nothing is stored; when it commits, everything is', async () => {
    await using t = await open();
    await expect(
      t.store.transaction(async (tx) => {
        await tx.append('cart-1', [{ type: 'Added', data: { sku: 'a' } }]);
        await tx.query('SELECT 1');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await t.store.streamInfo('cart-1')).toBeNull();
    const result = await t.store.transaction(async (tx) => {
      await tx.append('cart-1', [{ type: 'Added', data: { sku: 'a' } }]);
      await expect(
        tx.append('cart-1', [{ type: 'Added', data: { sku: 'b' } }], { expectedVersion: 5 }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      return tx.append('cart-1', [{ type: 'Added', data: { sku: 'c' } }], { expectedVersion: 1 });
    });
    expect(result.streamVersion).toBe(2);
    expect((await collect(t.store.readStream('cart-1'))).map((e) => e.data)).toEqual([
      { sku: 'a' },
      { sku: 'c' },
    ]);
  });

  it('given group commit disabled, when appending concurrently, then every append still succeeds on its own', async () => {
    await using t = await open({ groupCommit: { enabled: false } });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.store.append('solo-1', [{ type: 'X', data: i }])),
    );
    expect(results.map((r) => r.streamVersion).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(results.map((r) => positionParts(r.position).transactionId)).size).toBe(5);
  });
});
