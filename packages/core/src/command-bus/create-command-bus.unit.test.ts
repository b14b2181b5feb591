import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AddItem,
  cartHandler,
  createFakeEventStore,
  OpenCart,
  Touch,
} from '../../test-support/command-bus.ts';
import { AuthorizationError } from '../errors/authorization-error.ts';
import { ConcurrencyError } from '../errors/concurrency-error.ts';
import { DomainError } from '../errors/domain-error.ts';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { START_POSITION } from '../event-store/position.ts';
import { defineEvent } from '../messages/define-event.ts';
import { createEventRegistry } from '../messages/event-registry.ts';
import type { CommandBusOptions } from './command-bus.ts';
import { createCommandBus } from './create-command-bus.ts';
import { defineCommandHandler } from './define-command-handler.ts';

function setup(options: Partial<CommandBusOptions> = {}) {
  const store = createFakeEventStore();
  let ids = 0;
  const bus = createCommandBus({
    store,
    handlers: [cartHandler],
    newId: () => `cmd-${++ids}`,
    ...options,
  });
  return { store, bus };
}

describe('createCommandBus', () => {
  describe('given bad options', () => {
    const store = createFakeEventStore();
    it.each([
      ['store', { store: {} }],
      ['handlers', { handlers: [] }],
      ['handlers', { handlers: [{ kind: 'nope' }] }],
      ['maxAttempts', { maxAttempts: 0 }],
      ['maxAttempts', { maxAttempts: 1.5 }],
      ['middleware', { middleware: ['log'] }],
      ['snapshots', { snapshots: { load: () => null } }],
      ['newId', { newId: 'x' }],
      ['policies', { policies: { OpenCart: true } }],
      ['policies', { policies: { OpenKart: () => true } }],
    ])('when the option %s is wrong, then creation fails naming it', (option, bad) => {
      const create = () =>
        createCommandBus({
          store,
          handlers: [cartHandler],
          ...bad,
        } as unknown as CommandBusOptions);
      expect(create).toThrow(ValidationError);
      expect(create).toThrow(`option ${option}`);
    });

    it('when two handlers take one command type, then creation fails', () => {
      const other = defineCommandHandler({ ...cartHandler, commands: [Touch] });
      expect(() => createCommandBus({ store, handlers: [cartHandler, other] })).toThrow(
        /Touch is already handled by handlers\[0\]/,
      );
    });
  });

  describe('given a valid command', () => {
    it('when it is sent, then its events are appended and the reply describes them', async () => {
      const { store, bus } = setup();
      await bus.send(OpenCart.create({ cartId: 'c1' }));
      const reply = await bus.send(AddItem.create({ cartId: 'c1', sku: 'apple', quantity: 3 }));

      expect(reply.stream).toBe('cart-c1');
      expect(reply.streamVersion).toBe(3);
      expect(reply.commandId).toBe('cmd-2');
      expect(reply.events.map((e) => [e.streamVersion, e.type, e.data])).toEqual([
        [2, 'ItemAdded', { sku: 'apple', quantity: 1 }],
        [3, 'ItemAdded', { sku: 'apple', quantity: 2 }],
      ]);
      expect(reply.position).toBe(store.stored.at(-1)?.position);
      // The reply's events are the stored ones, ids and metadata included.
      expect(reply.events).toEqual(store.stored.slice(1));
    });

    it('when it is sent, then the append expects the version the state was loaded at', async () => {
      const { store, bus } = setup();
      const expected: unknown[] = [];
      const append = store.append.bind(store);
      store.append = (stream, events, options) => {
        expected.push(options?.expectedVersion);
        return append(stream, events, options);
      };
      await bus.send(OpenCart.create({ cartId: 'c1' }));
      await bus.send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 2 }));
      await bus.send(AddItem.create({ cartId: 'c1', sku: 'b', quantity: 1 }));
      expect(expected).toEqual(['no_stream', 1, 3]);
    });

    it('when it is sent, then the append carries no event ids and the reply names the ids the store made (issue 14)', async () => {
      const { store, bus } = setup();
      const sent: (string | undefined)[] = [];
      const append = store.append.bind(store);
      store.append = (stream, events, options) => {
        sent.push(...events.map((event) => event.id));
        return append(stream, events, options);
      };
      await bus.send(OpenCart.create({ cartId: 'c1' }));
      const reply = await bus.send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 2 }));
      // An append with ids makes a store look for a retried copy first; a decision is new.
      expect(sent).toEqual([undefined, undefined, undefined]);
      expect(reply.events.map((event) => event.id)).toEqual(['id-2', 'id-3']);
      expect(reply.events.map((event) => event.id)).toEqual(
        store.stored.slice(1).map((event) => event.id),
      );
    });

    it('when a context is given, then ids, actor and tenant flow into event metadata', async () => {
      const { store, bus } = setup();
      await bus.send(OpenCart.create({ cartId: 'c1' }), {
        commandId: 'cmd-x',
        correlationId: 'corr-1',
        causationId: 'evt-0',
        actor: 'user-7',
        tenant: 'acme',
        roles: ['admin'],
      });
      expect(store.stored[0]?.metadata).toEqual({
        commandId: 'cmd-x',
        commandType: 'OpenCart',
        correlationId: 'corr-1',
        causationId: 'cmd-x',
        commandCausationId: 'evt-0',
        actor: 'user-7',
        tenant: 'acme',
        timestamp: expect.any(String),
      });
    });

    it('when no context is given, then the command id is made and correlates the events', async () => {
      const { store, bus } = setup();
      const reply = await bus.send(OpenCart.create({ cartId: 'c1' }));
      expect(reply.commandId).toBe('cmd-1');
      const { metadata } = store.stored[0]!;
      expect([metadata.commandId, metadata.correlationId, metadata.causationId]).toEqual([
        'cmd-1',
        'cmd-1',
        'cmd-1',
      ]);
      expect(metadata).not.toHaveProperty('actor');
      expect(metadata).not.toHaveProperty('tenant');
    });

    it('when the body carries an actor, then it never reaches the metadata', async () => {
      const { store, bus } = setup();
      const command = { type: 'OpenCart', data: { cartId: 'c1' }, actor: 'mallory' };
      await bus.send(command, { actor: 'alice' });
      expect(store.stored[0]?.metadata.actor).toBe('alice');
    });

    it('when decide returns no events, then nothing is appended and the reply has the stream head', async () => {
      const { store, bus } = setup();
      const opened = await bus.send(OpenCart.create({ cartId: 'c1' }));
      const reply = await bus.send(Touch.create({ cartId: 'c1' }));
      expect(reply).toEqual({
        stream: 'cart-c1',
        streamVersion: 1,
        position: opened.position,
        events: [],
        commandId: 'cmd-2',
      });
      expect(store.appendCalls).toBe(1);
    });

    it('when decide returns no events on a new stream, then the reply is at the start', async () => {
      const { store, bus } = setup();
      const reply = await bus.send(Touch.create({ cartId: 'new' }));
      expect([reply.streamVersion, reply.position]).toEqual([0, START_POSITION]);
      expect(store.appendCalls).toBe(0);
    });

    it('when an event registry is given, then reply events carry its schema versions', async () => {
      const CartOpened = defineEvent('CartOpened', z.object({ cartId: z.string() }), {
        version: 2,
        upcasters: { 1: (data) => data },
      });
      const { bus } = setup({ events: createEventRegistry([CartOpened], { strict: false }) });
      const reply = await bus.send(OpenCart.create({ cartId: 'c1' }));
      expect(reply.events[0]?.schemaVersion).toBe(2);
    });
  });

  describe('given a command that must be refused', () => {
    it('when its type is unknown, then UnknownMessageError and nothing is appended', async () => {
      const { store, bus } = setup();
      const error = await bus.send({ type: 'CloseCart', data: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownMessageError);
      expect(error).toMatchObject({ kind: 'command', type: 'CloseCart', code: 'UNKNOWN_COMMAND' });
      expect(store.appendCalls).toBe(0);
    });

    it('when its type is missing, then UnknownMessageError and nothing is appended', async () => {
      const { store, bus } = setup();
      await expect(bus.send({ data: { cartId: 'c1' } })).rejects.toThrow(UnknownMessageError);
      expect(store.appendCalls).toBe(0);
    });

    it('when it is not an object, then ValidationError and nothing is appended', async () => {
      const { store, bus } = setup();
      await expect(bus.send('OpenCart')).rejects.toThrow(ValidationError);
      expect(store.appendCalls).toBe(0);
    });

    it('when its data fails the schema, then ValidationError lists the paths and nothing is appended', async () => {
      const { store, bus } = setup();
      await bus.send(OpenCart.create({ cartId: 'c1' }));
      const error = await bus
        .send({ type: 'AddItem', data: { cartId: 'c1', sku: 5, quantity: 0 } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      const { subject, issues } = error as ValidationError;
      expect(subject).toBe('command AddItem');
      expect(issues.map((issue) => issue.path)).toEqual([['sku'], ['quantity']]);
      expect(store.stored).toHaveLength(1);
    });

    it.each([
      ['false', () => false, 'refused by policy'],
      ['a reason', () => 'only shoppers', 'only shoppers'],
      ['a promise of a reason', async () => 'not today', 'not today'],
      ['nothing', () => undefined as unknown as boolean, 'refused by policy'],
    ])(
      'when the bus policy returns %s, then AuthorizationError and nothing is appended',
      async (_, policy, reason) => {
        const { store, bus } = setup({ policies: { OpenCart: policy } });
        const error = await bus
          .send(OpenCart.create({ cartId: 'c1' }), { actor: 'bob' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AuthorizationError);
        expect(error).toMatchObject({ messageType: 'OpenCart', reason, actor: 'bob' });
        expect(store.appendCalls).toBe(0);
      },
    );

    it('when the handler policy refuses, then AuthorizationError and nothing is appended', async () => {
      const guarded = defineCommandHandler({
        ...cartHandler,
        authorize: (_command, context) => context.roles?.includes('shopper') ?? false,
      });
      const { store, bus } = setup({ handlers: [guarded] });
      await expect(bus.send(OpenCart.create({ cartId: 'c1' }), { roles: [] })).rejects.toThrow(
        AuthorizationError,
      );
      expect(store.appendCalls).toBe(0);
      await bus.send(OpenCart.create({ cartId: 'c1' }), { roles: ['shopper'] });
      expect(store.stored).toHaveLength(1);
    });

    it('when decide throws a DomainError, then it passes through unchanged and nothing is appended', async () => {
      const { store, bus } = setup();
      const error = await bus
        .send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 1 }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ rule: 'CART_CLOSED', code: 'DOMAIN_RULE' });
      expect(store.appendCalls).toBe(0);
    });

    it('when decide throws something else, then it passes through and nothing is appended', async () => {
      const broken = defineCommandHandler({
        ...cartHandler,
        decider: {
          ...cartHandler.decider,
          decide: () => {
            throw new RangeError('bug');
          },
        },
      });
      const { store, bus } = setup({ handlers: [broken] });
      await expect(bus.send(OpenCart.create({ cartId: 'c1' }))).rejects.toThrow(RangeError);
      expect(store.appendCalls).toBe(0);
    });

    it('when the context expects another version, then ConcurrencyError at once and nothing is appended', async () => {
      const { store, bus } = setup();
      await bus.send(OpenCart.create({ cartId: 'c1' }));
      const error = await bus
        .send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 1 }), { expectedVersion: 7 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ stream: 'cart-c1', expected: 7, actual: 1 });
      expect(store.appendCalls).toBe(1);
    });

    it('when the context expects the current version, then the command goes through', async () => {
      const { bus } = setup();
      await bus.send(OpenCart.create({ cartId: 'c1' }), { expectedVersion: 'no_stream' });
      const reply = await bus.send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 1 }), {
        expectedVersion: 1,
      });
      expect(reply.streamVersion).toBe(2);
    });

    it('when the context expected version is malformed, then ValidationError and nothing is appended', async () => {
      const { store, bus } = setup();
      const context = { expectedVersion: -3 };
      await expect(bus.send(OpenCart.create({ cartId: 'c1' }), context)).rejects.toThrow(
        ValidationError,
      );
      expect(store.appendCalls).toBe(0);
    });

    it('when the signal is already aborted, then the command stops before reading', async () => {
      const { store, bus } = setup();
      const signal = AbortSignal.abort();
      await expect(bus.send(OpenCart.create({ cartId: 'c1' }), { signal })).rejects.toThrow();
      expect(store.appendCalls).toBe(0);
    });
  });
});
