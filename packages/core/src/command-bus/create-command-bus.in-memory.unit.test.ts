import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AddItem, cartHandler, OpenCart } from '../../test-support/command-bus.ts';
import { ConcurrencyError } from '../errors/concurrency-error.ts';
import { InvalidEventError } from '../errors/invalid-event-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import { createInMemorySnapshotStore } from '../in-memory/in-memory-snapshot-store.ts';
import { defineEvent } from '../messages/define-event.ts';
import { createEventRegistry } from '../messages/event-registry.ts';
import { createCommandBus } from './create-command-bus.ts';
import { defineCommandHandler } from './define-command-handler.ts';

// The same bus over the real in-memory adapter: what the fake store stands in for.
const events = createEventRegistry([
  defineEvent('CartOpened', z.object({ cartId: z.string() })),
  defineEvent('ItemAdded', z.object({ sku: z.string(), quantity: z.number().int().min(1) }), {
    version: 2,
    upcasters: { 1: (data) => data },
  }),
]);

describe('createCommandBus over createInMemoryEventStore', () => {
  it('given a registry, when commands are sent, then the reply matches what the store reads back', async () => {
    await using store = createInMemoryEventStore({ events });
    const bus = createCommandBus({ store, handlers: [cartHandler], events });
    await bus.send(OpenCart.create({ cartId: 'c1' }), { actor: 'ann', tenant: 't1' });
    const reply = await bus.send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 2 }));

    const stored = [];
    for await (const event of store.readStream('cart-c1', { fromVersion: 2 })) stored.push(event);
    expect(reply.events).toEqual(stored);
    expect(reply.position).toBe(stored.at(-1)?.position);
    expect(reply.events.map((e) => e.schemaVersion)).toEqual([2, 2]);
  });

  it('given events the registry rejects, when decided, then InvalidEventError (wrapping the ValidationError) and nothing is stored', async () => {
    await using store = createInMemoryEventStore({ events });
    const sloppy = defineCommandHandler({
      ...cartHandler,
      decider: {
        ...cartHandler.decider,
        decide: () => ({ type: 'ItemAdded', data: { sku: 1 } }) as never,
      },
    });
    const bus = createCommandBus({ store, handlers: [sloppy] });
    const error = await bus.send(OpenCart.create({ cartId: 'c1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).cause).toBeInstanceOf(ValidationError);
    expect(await store.streamInfo('cart-c1')).toBeNull();
  });

  it('given a snapshot store, when the stream passes the cadence, then later loads start from it', async () => {
    await using store = createInMemoryEventStore();
    const snapshots = createInMemorySnapshotStore();
    const handler = defineCommandHandler({ ...cartHandler, snapshot: { version: 1, every: 2 } });
    const bus = createCommandBus({ store, snapshots, handlers: [handler] });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    await bus.send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 1 }));
    expect(await snapshots.load('cart-c1', 1)).toEqual({
      stream: 'cart-c1',
      streamVersion: 2,
      deciderVersion: 1,
      state: { open: true, items: 1 },
    });
  });

  it('given two commands race on one stream, when both are sent at once, then both land in order', async () => {
    await using store = createInMemoryEventStore();
    const bus = createCommandBus({ store, handlers: [cartHandler] });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    const replies = await Promise.all(
      ['a', 'b', 'c'].map((sku) => bus.send(AddItem.create({ cartId: 'c1', sku, quantity: 1 }))),
    );
    expect(replies.map((r) => r.streamVersion).sort()).toEqual([2, 3, 4]);
    await expect(
      bus.send(AddItem.create({ cartId: 'c1', sku: 'd', quantity: 1 }), { expectedVersion: 2 }),
    ).rejects.toThrow(ConcurrencyError);
  });
});
