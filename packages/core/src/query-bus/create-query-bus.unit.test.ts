import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthorizationError } from '../errors/authorization-error.ts';
import { DuetError } from '../errors/duet-error.ts';
import { StaleReadError } from '../errors/stale-read-error.ts';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { makePosition, START_POSITION } from '../event-store/position.ts';
import { defineQuery } from '../messages/define-query.ts';
import { createQueryBus } from './create-query-bus.ts';
import { defineQueryHandler } from './define-query-handler.ts';
import type { ConsistencyRequest, QueryBusOptions } from './query-bus.ts';

const MyOrders = defineQuery('MyOrders', {
  params: z.strictObject({ customerId: z.string().min(1), limit: z.number().int().default(10) }),
  result: z.array(z.object({ orderId: z.string() })),
  projections: ['my-orders', 'order-totals'],
});

const asked: unknown[] = [];
const myOrders = defineQueryHandler(MyOrders, async (params, context) => {
  asked.push({ params, actor: context.actor });
  return [{ orderId: `o-of-${params.customerId}` }];
});
const position = makePosition(5n, 9n);

function setup(options: Partial<QueryBusOptions> = {}) {
  asked.length = 0;
  return createQueryBus({ handlers: [myOrders], ...options });
}

describe('createQueryBus', () => {
  it('given a query, when asked by definition, then the handler answers with checked params', async () => {
    const bus = setup();
    const orders = await bus.ask(MyOrders, { customerId: 'c1', limit: 5 }, { actor: 'c1' });
    expect(orders).toEqual([{ orderId: 'o-of-c1' }]);
    expect(asked).toEqual([{ params: { customerId: 'c1', limit: 5 }, actor: 'c1' }]);
  });

  it('given a query, when asked by type name, then the schema output (defaults) reaches the handler', async () => {
    const bus = setup();
    await bus.ask('MyOrders', { customerId: 'c1' });
    expect(asked).toEqual([{ params: { customerId: 'c1', limit: 10 }, actor: undefined }]);
  });

  it('given an unknown type, when asked, then UnknownMessageError', async () => {
    await expect(setup().ask('TheirOrders', {})).rejects.toMatchObject({
      constructor: UnknownMessageError,
      kind: 'query',
      code: 'UNKNOWN_QUERY',
    });
    expect(asked).toHaveLength(0);
  });

  it('given bad params, when asked, then ValidationError with the failing paths', async () => {
    const error = await setup()
      .ask('MyOrders', { customerId: '', extra: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).subject).toBe('query MyOrders');
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([['customerId'], []]);
    expect(asked).toHaveLength(0);
  });

  it.each([
    ['bus policy', { policies: { MyOrders: () => 'customers see their own orders' } }],
    ['bus policy returning false', { policies: { MyOrders: async () => false } }],
  ])('given a refusing %s, when asked, then AuthorizationError', async (_, options) => {
    const error = await setup(options)
      .ask('MyOrders', { customerId: 'c1' }, { actor: 'c2' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationError);
    expect(error).toMatchObject({ messageType: 'MyOrders', actor: 'c2' });
    expect(asked).toHaveLength(0);
  });

  it('given a handler policy, when another customer asks, then AuthorizationError with its reason', async () => {
    const guarded = defineQueryHandler(MyOrders, async () => [], {
      authorize: (params, context) => params.customerId === context.actor || 'own orders only',
    });
    const bus = createQueryBus({ handlers: [guarded] });
    await expect(
      bus.ask(MyOrders, { customerId: 'c1', limit: 1 }, { actor: 'c1' }),
    ).resolves.toEqual([]);
    await expect(
      bus.ask(MyOrders, { customerId: 'c1', limit: 1 }, { actor: 'c2' }),
    ).rejects.toMatchObject({ name: 'AuthorizationError', reason: 'own orders only' });
  });

  describe('given a minPosition', () => {
    it('when a waiter is configured, then it waits for every projection before answering', async () => {
      const requests: ConsistencyRequest[] = [];
      const bus = setup({
        consistency: async (request) => {
          requests.push(request);
          expect(asked).toHaveLength(0);
        },
      });
      await bus.ask('MyOrders', { customerId: 'c1' }, { consistency: { minPosition: position } });
      expect(requests).toEqual([
        {
          projections: ['my-orders', 'order-totals'],
          minPosition: position,
          tokens: [],
          timeoutMs: 5_000,
          queryType: 'MyOrders',
        },
      ]);
      expect(asked).toHaveLength(1);
    });

    it('when the context gives a timeout, then the waiter gets it and the signal', async () => {
      const requests: ConsistencyRequest[] = [];
      const bus = setup({ defaultTimeoutMs: 100, consistency: async (r) => void requests.push(r) });
      const signal = new AbortController().signal;
      await bus.ask(
        'MyOrders',
        { customerId: 'c1' },
        { consistency: { minPosition: position, timeoutMs: 250 }, signal },
      );
      expect(requests[0]).toMatchObject({ timeoutMs: 250, signal });
    });

    it('when the read models stay behind, then StaleReadError and the handler is not asked', async () => {
      const bus = setup({
        consistency: async ({ queryType, minPosition, timeoutMs }) => {
          throw new StaleReadError(queryType, minPosition, timeoutMs);
        },
      });
      await expect(
        bus.ask('MyOrders', { customerId: 'c1' }, { consistency: { minPosition: position } }),
      ).rejects.toMatchObject({ code: 'STALE_READ', minPosition: position, waitedMs: 5_000 });
      expect(asked).toHaveLength(0);
    });

    it('when the position is malformed, then ValidationError', async () => {
      const bus = setup({ consistency: async () => {} });
      await expect(
        bus.ask('MyOrders', { customerId: 'c1' }, { consistency: { minPosition: '42' } }),
      ).rejects.toThrow(ValidationError);
      expect(asked).toHaveLength(0);
    });

    it('when the timeout is negative, then ValidationError', async () => {
      const bus = setup({ consistency: async () => {} });
      const consistency = { minPosition: position, timeoutMs: -1 };
      await expect(bus.ask('MyOrders', { customerId: 'c1' }, { consistency })).rejects.toThrow(
        ValidationError,
      );
    });

    it('when no waiter is configured, then CONSISTENCY_UNSUPPORTED rather than a stale answer', async () => {
      const error = await setup()
        .ask('MyOrders', { customerId: 'c1' }, { consistency: { minPosition: position } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuetError);
      expect((error as DuetError).code).toBe('CONSISTENCY_UNSUPPORTED');
      expect(asked).toHaveLength(0);
    });
  });

  describe('given read-your-writes tokens', () => {
    const tokens = ['orders@order-o-1:3', 'customers@customer-ada:1'];

    it('when only tokens are given, then they reach the waiter with the start position', async () => {
      const requests: ConsistencyRequest[] = [];
      const bus = setup({ consistency: async (request) => void requests.push(request) });
      await bus.ask('MyOrders', { customerId: 'c1' }, { consistency: { tokens, timeoutMs: 50 } });
      expect(requests).toEqual([
        {
          projections: ['my-orders', 'order-totals'],
          minPosition: START_POSITION,
          tokens,
          timeoutMs: 50,
          queryType: 'MyOrders',
        },
      ]);
      expect(asked).toHaveLength(1);
    });

    it('when tokens and a position are given, then the waiter gets both', async () => {
      const requests: ConsistencyRequest[] = [];
      const bus = setup({ consistency: async (request) => void requests.push(request) });
      await bus.ask(
        'MyOrders',
        { customerId: 'c1' },
        { consistency: { minPosition: position, tokens } },
      );
      expect(requests[0]).toMatchObject({ minPosition: position, tokens, timeoutMs: 5_000 });
    });

    it.each([
      ['an empty list', []],
      ['17 tokens', Array.from({ length: 17 }, (_, i) => `orders@order-${i}:1`)],
      ['an empty token', ['orders@order-o-1:3', '']],
      ['a token of 301 characters', [`orders@${'x'.repeat(292)}:1`]],
      ['a token that is not a string', [42]],
      ['tokens that are not a list', 'orders@order-o-1:3'],
    ])('when they are %s, then ValidationError naming consistency.tokens', async (_, bad) => {
      const bus = setup({ consistency: async () => {} });
      const consistency = { tokens: bad as string[] };
      const error = await bus
        .ask('MyOrders', { customerId: 'c1' }, { consistency })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path.slice(0, 2)).toEqual([
        'consistency',
        'tokens',
      ]);
      expect((error as Error).message).toContain('consistency.tokens');
      expect(asked).toHaveLength(0);
    });

    it('when neither a position nor tokens are given, then ValidationError', async () => {
      const bus = setup({ consistency: async () => {} });
      await expect(
        bus.ask('MyOrders', { customerId: 'c1' }, { consistency: { timeoutMs: 10 } }),
      ).rejects.toThrow('expected minPosition, tokens or both');
      expect(asked).toHaveLength(0);
    });

    it('when no waiter is configured, then CONSISTENCY_UNSUPPORTED rather than a stale answer', async () => {
      const error = await setup()
        .ask('MyOrders', { customerId: 'c1' }, { consistency: { tokens } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuetError);
      expect((error as DuetError).code).toBe('CONSISTENCY_UNSUPPORTED');
      expect(asked).toHaveLength(0);
    });

    it('when the waiter gives up, then StaleReadError reports the tokens', async () => {
      const bus = setup({
        consistency: async ({ queryType, minPosition, timeoutMs, tokens: waited }) => {
          throw new StaleReadError(queryType, minPosition, timeoutMs, undefined, waited);
        },
      });
      const error = await bus
        .ask('MyOrders', { customerId: 'c1' }, { consistency: { tokens } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'STALE_READ', minPosition: START_POSITION, tokens });
      expect((error as Error).message).toContain('orders@order-o-1:3');
    });
  });

  it('given validateResults, when a handler answers off-schema, then ValidationError names the result', async () => {
    const sloppy = defineQueryHandler(MyOrders, async () => [{ orderId: 7 }] as never);
    const bus = createQueryBus({ handlers: [sloppy], validateResults: true });
    await expect(bus.ask('MyOrders', { customerId: 'c1' })).rejects.toThrow(
      'query MyOrders result',
    );
    const lax = createQueryBus({ handlers: [sloppy] });
    await expect(lax.ask('MyOrders', { customerId: 'c1' })).resolves.toEqual([{ orderId: 7 }]);
  });

  it.each([
    ['handlers', { handlers: [] }],
    ['handlers', { handlers: [myOrders, myOrders] }],
    ['policies', { policies: { TheirOrders: () => true } }],
    ['consistency', { consistency: 'fast' }],
    ['defaultTimeoutMs', { defaultTimeoutMs: -5 }],
    ['validateResults', { validateResults: 'yes' }],
  ])('given a bad option %s, when created, then ValidationError names it', (option, bad) => {
    const create = () =>
      createQueryBus({ handlers: [myOrders], ...bad } as unknown as QueryBusOptions);
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(`option ${option}`);
  });

  it('given a bad definition or function, when a handler is defined, then ValidationError', () => {
    expect(() => defineQueryHandler({ type: 'X' } as never, async () => null as never)).toThrow(
      'option query',
    );
    expect(() => defineQueryHandler(MyOrders, 'nope' as never)).toThrow('option handle');
  });
});
