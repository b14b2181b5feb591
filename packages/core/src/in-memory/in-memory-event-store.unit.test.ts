import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LimitExceededError } from '../errors/limit-exceeded-error.ts';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { newEventId } from '../event-store/event-id.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { defineEvent } from '../messages/define-event.ts';
import { createEventRegistry } from '../messages/event-registry.ts';
import { createInMemoryEventStore } from './in-memory-event-store.ts';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const ItemAdded = defineEvent('ItemAdded', z.object({ sku: z.string(), quantity: z.number() }), {
  version: 2,
  // Version 1 had no quantity: one item each.
  upcasters: { 1: (data) => ({ ...(data as object), quantity: 1 }) },
});

describe('createInMemoryEventStore options', () => {
  it('given bad options, when creating, then ValidationError names each of them', () => {
    const error = (() => {
      try {
        createInMemoryEventStore({ pageSize: 0, limits: { maxEventBytes: -1 } });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path.join('.'))).toEqual([
      'pageSize',
      'limits.maxEventBytes',
    ]);
  });

  it('given a clock, when appending, then timestamps and stream times come from it', async () => {
    const store = createInMemoryEventStore({ now: () => new Date('2030-01-02T03:04:05.000Z') });
    await store.append('cart-1', [{ type: 'Opened', data: {} }]);
    const [event] = await collect(store.readStream('cart-1'));
    expect(event?.metadata.timestamp).toBe('2030-01-02T03:04:05.000Z');
    expect(await store.streamInfo('cart-1')).toMatchObject({
      createdAt: '2030-01-02T03:04:05.000Z',
      updatedAt: '2030-01-02T03:04:05.000Z',
    });
  });

  it('given small limits, when an append exceeds them, then LimitExceededError and nothing is stored', async () => {
    const store = createInMemoryEventStore({
      limits: { maxEventsPerAppend: 2, maxEventBytes: 200 },
    });
    const three = [1, 2, 3].map((n) => ({ type: 'N', data: { n } }));
    await expect(store.append('s-1', three)).rejects.toBeInstanceOf(LimitExceededError);
    const big = [{ type: 'Big', data: { text: 'x'.repeat(300) } }];
    await expect(store.append('s-1', big)).rejects.toMatchObject({ max: 200 });
    expect(await store.streamInfo('s-1')).toBeNull();
  });
});

describe('in-memory event store with an event registry', () => {
  const events = createEventRegistry([ItemAdded]);

  it('given data its schema rejects, when appending, then ValidationError and nothing is stored', async () => {
    const store = createInMemoryEventStore({ events });
    const bad = [{ type: 'ItemAdded', data: { sku: 1 } }];
    await expect(store.append('cart-1', bad)).rejects.toBeInstanceOf(ValidationError);
    expect(await store.streamInfo('cart-1')).toBeNull();
  });

  it('given an unregistered type, when appending, then UnknownMessageError', async () => {
    const store = createInMemoryEventStore({ events });
    await expect(store.append('cart-1', [{ type: 'Nope', data: {} }])).rejects.toBeInstanceOf(
      UnknownMessageError,
    );
  });

  it('given valid data, when reading, then the schema version is stamped and unknown keys are gone', async () => {
    const store = createInMemoryEventStore({ events });
    await store.append('cart-1', [ItemAdded.create({ sku: 'a', quantity: 2, extra: 1 } as never)]);
    const [event] = await collect(store.readStream('cart-1'));
    expect(event).toMatchObject({ schemaVersion: 2, data: { sku: 'a', quantity: 2 } });
    expect(event?.data).not.toHaveProperty('extra');
  });

  it('given events stored at version 1, when read with a version 2 definition, then they are upcast', async () => {
    // A registry that stamps version 1 on append, as the definitions of an older deploy did.
    const older = {
      ...events,
      check: async (_type: string, data: unknown) => ({ data, schemaVersion: 1 }),
    };
    const store = createInMemoryEventStore({ events: older });
    await store.append('cart-1', [{ type: 'ItemAdded', data: { sku: 'old' } }]);
    const [event] = await collect(store.readStream('cart-1'));
    expect(event).toMatchObject({ schemaVersion: 2, data: { sku: 'old', quantity: 1 } });
  });
});

describe('in-memory event store behaviour', () => {
  it('given two events with the same id in one append, when appending, then ValidationError', async () => {
    const store = createInMemoryEventStore();
    const id = newEventId();
    const twice = [
      { id, type: 'A', data: {} },
      { id, type: 'A', data: {} },
    ];
    await expect(store.append('s-1', twice)).rejects.toBeInstanceOf(ValidationError);
  });

  it('given a retry whose data has its keys in another order, when appending, then it is the same event', async () => {
    const store = createInMemoryEventStore();
    const id = newEventId();
    const first = await store.append('s-1', [{ id, type: 'A', data: { a: 1, b: { c: 2, d: 3 } } }]);
    const again = await store.append('s-1', [{ id, type: 'A', data: { b: { d: 3, c: 2 }, a: 1 } }]);
    expect(again).toBe(first);
  });

  it('given a read event, when the caller mutates its data, then the store is unchanged', async () => {
    const store = createInMemoryEventStore();
    await store.append('s-1', [{ type: 'A', data: { list: [1] } }]);
    const [event] = await collect(store.readStream('s-1'));
    (event!.data as { list: number[] }).list.push(2);
    const [again] = await collect(store.readStream('s-1'));
    expect(again?.data).toEqual({ list: [1] });
  });

  it('given an aborted signal, when appending, then it throws and stores nothing', async () => {
    const store = createInMemoryEventStore();
    const signal = AbortSignal.abort();
    await expect(store.append('s-1', [{ type: 'A', data: {} }], { signal })).rejects.toThrow();
    expect(await store.streamInfo('s-1')).toBeNull();
  });

  it('given bad read options, when iterating, then ValidationError before any event', async () => {
    const store = createInMemoryEventStore();
    await store.append('s-1', [{ type: 'A', data: {} }]);
    await expect(collect(store.readStream('s-1', { maxCount: -1 }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(collect(store.readAll({ pageSize: 0 }))).rejects.toBeInstanceOf(ValidationError);
  });

  it('given a forward read in progress, when events are appended, then they come later and in order', async () => {
    const store = createInMemoryEventStore({ pageSize: 2 });
    await store.append(
      's-1',
      [1, 2, 3].map((n) => ({ type: 'N', data: { n } })),
    );
    const seen: number[] = [];
    for await (const event of store.readStream('s-1')) {
      seen.push(event.streamVersion);
      if (seen.length === 1) await store.append('s-1', [{ type: 'N', data: { n: 4 } }]);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('given a subscription waiting for events, when the store is disposed, then it ends', async () => {
    const store = createInMemoryEventStore();
    const iterator = store.subscribe()[Symbol.asyncIterator]();
    const pending = iterator.next();
    await store[Symbol.asyncDispose]();
    expect((await pending).done).toBe(true);
  });

  it('given a subscription, when events arrive one at a time, then each comes once and abort ends it', async () => {
    const store = createInMemoryEventStore();
    const controller = new AbortController();
    const seen: RecordedEvent[] = [];
    const loop = (async () => {
      for await (const event of store.subscribe({ signal: controller.signal })) seen.push(event);
    })();
    for (let n = 0; n < 50; n++) {
      await store.append('s-1', [{ type: 'N', data: { n } }]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    controller.abort();
    await loop;
    expect(seen).toHaveLength(50);
  });
});
