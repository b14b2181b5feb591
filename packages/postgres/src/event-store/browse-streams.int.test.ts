import { runAsSystem, runInTenant, ValidationError } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { isolateTenants } from '../executor/tenant-isolated-executor.ts';
import { openTestDatabase } from '../testing/index.ts';
import { correlatedEvents } from './correlated-events.ts';
import { listStreams, type StreamSummary } from './list-streams.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping listStreams on PostgreSQL: not reachable');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

describe.each(backends)('listStreams on $kind', (backend) => {
  it('given streams of several categories, when paged two at a time, then every stream comes once, newest first, and filters hold', async () => {
    await using db = await openTestDatabase(backend);
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const event = { type: 'Noted', data: {} };
    for (const stream of ['order-a', 'order-b', 'cart-a']) await store.append(stream, [event]);
    await store.append('order-c', [event]);
    await store.append('orderly-x', [event, event]);
    const all: StreamSummary[] = [];
    let before: Parameters<typeof listStreams>[2]['before'];
    for (let pages = 0; pages < 10; pages += 1) {
      const page = await listStreams(db.executor, db.schema, {
        limit: 2,
        ...(before ? { before } : {}),
      });
      all.push(...page.streams);
      if (!page.next) break;
      before = page.next;
    }
    expect(all.map((s) => s.stream)).toEqual([
      'orderly-x',
      'order-c',
      'cart-a',
      'order-b',
      'order-a',
    ]);
    expect(all[0]).toMatchObject({ category: 'orderly', version: 2 });
    const prefixed = await listStreams(db.executor, db.schema, { prefix: 'order-', limit: 10 });
    expect(prefixed.streams.map((s) => s.stream)).toEqual(['order-c', 'order-b', 'order-a']);
    // A prefix is text, not a LIKE pattern.
    expect(
      (await listStreams(db.executor, db.schema, { prefix: 'order%', limit: 10 })).streams,
    ).toEqual([]);
    const category = await listStreams(db.executor, db.schema, { category: 'order', limit: 10 });
    expect(category.streams.map((s) => s.stream)).toEqual(['order-c', 'order-b', 'order-a']);
    expect(category.next).toBeNull();
    await store.close();
  });

  it('given two tenants with a stream of one name, when listed in each scope, then each tenant sees its own and the system scope the unnamed tenant’s only', async () => {
    await using db = await openTestDatabase(backend);
    const executor = isolateTenants(db.executor);
    const store = createPostgresEventStore({ executor, schema: db.schema });
    const event = { type: 'Noted', data: {} };
    await runInTenant('acme', () => store.append('order-1', [event]));
    await runInTenant('globex', () => store.append('order-1', [event, event]));
    await runAsSystem(() => store.append('order-0', [event]));
    const names = async (fn: () => ReturnType<typeof listStreams>) =>
      (await fn()).streams.map((s) => `${s.stream}@${s.version}`);
    const list = () => listStreams(executor, db.schema, { limit: 10 });
    expect(await names(() => runInTenant('acme', list))).toEqual(['order-1@1']);
    expect(await names(() => runInTenant('globex', list))).toEqual(['order-1@2']);
    expect(await names(() => runAsSystem(list))).toEqual(['order-0@1']);
    await store.close();
  });

  it('given bad options, when listing, then ValidationError names them', async () => {
    await using db = await openTestDatabase(backend);
    const bad = [
      { limit: 0 },
      { limit: 5000 },
      { limit: 1, before: { createdAtMicros: '1; DROP', stream: 'x' } },
      { limit: 1, prefix: 'a\0b' },
    ];
    for (const options of bad) {
      await expect(listStreams(db.executor, db.schema, options)).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
  });
});

describe.each(backends)('correlatedEvents on $kind', (backend) => {
  it('given events of two requests, when asked by correlation id or event id, then only the matching ones come, in order', async () => {
    await using db = await openTestDatabase(backend);
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const first = await store.append('order-1', [
      { type: 'Placed', data: {}, metadata: { correlationId: 'req-1' } },
    ]);
    await store.append('stock-1', [
      { type: 'Reserved', data: {}, metadata: { correlationId: 'req-1', causationId: 'x' } },
    ]);
    await store.append('order-2', [
      { type: 'Placed', data: {}, metadata: { correlationId: 'req-2' } },
    ]);
    const chain = await correlatedEvents(
      db.executor,
      db.schema,
      { correlationId: 'req-1' },
      { limit: 10 },
    );
    expect(chain.map((e) => e.stream)).toEqual(['order-1', 'stock-1']);
    const [placed] = chain;
    const byId = await correlatedEvents(
      db.executor,
      db.schema,
      { eventId: placed!.id },
      { limit: 1 },
    );
    expect(byId.map((e) => e.position)).toEqual([first.position]);
    expect(
      await correlatedEvents(db.executor, db.schema, { eventId: 'not-a-uuid' }, { limit: 1 }),
    ).toEqual([]);
    await store.close();
  });
});
