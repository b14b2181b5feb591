import { describe, expect, it } from 'vitest';
import {
  AddItem,
  cartHandler,
  createFakeEventStore,
  OpenCart,
} from '../../test-support/command-bus.ts';
import { ConcurrencyError } from '../errors/concurrency-error.ts';
import { RetriesExhaustedError } from '../errors/retries-exhausted-error.ts';
import type { CommandBusOptions } from './command-bus.ts';
import { createCommandBus } from './create-command-bus.ts';

function setup(options: Partial<CommandBusOptions> = {}) {
  const store = createFakeEventStore();
  const bus = createCommandBus({ store, handlers: [cartHandler], ...options });
  return { store, bus };
}

const addApple = AddItem.create({ cartId: 'c1', sku: 'apple', quantity: 1 });

describe('createCommandBus retries', () => {
  it('given the first two appends lose a race, when a command is sent, then the third attempt wins on fresh state', async () => {
    const { store, bus } = setup();
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    store.loseNextAppends(2);

    const reply = await bus.send(addApple);

    expect(store.appendCalls).toBe(4);
    // Two rival events landed first; ours follows them without a gap.
    expect(reply.streamVersion).toBe(4);
    expect(store.stored.map((e) => e.data)).toEqual([
      { cartId: 'c1' },
      { sku: 'rival', quantity: 1 },
      { sku: 'rival', quantity: 1 },
      { sku: 'apple', quantity: 1 },
    ]);
  });

  it('given every append loses, when a command is sent, then RetriesExhaustedError after maxAttempts', async () => {
    const { store, bus } = setup();
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    store.loseNextAppends(10);

    const error = await bus.send(addApple).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetriesExhaustedError);
    const exhausted = error as RetriesExhaustedError;
    expect(exhausted.code).toBe('CONCURRENCY_RETRIES_EXHAUSTED');
    expect(exhausted.attempts).toBe(3);
    expect(exhausted.commandType).toBe('AddItem');
    expect(exhausted.lastError).toBeInstanceOf(ConcurrencyError);
    expect(exhausted.lastError).toMatchObject({ stream: 'cart-c1', expected: 3, actual: 4 });
    expect(store.appendCalls).toBe(4);
    expect(store.stored.some((e) => (e.data as { sku?: string }).sku === 'apple')).toBe(false);
  });

  it('given maxAttempts 1, when the only append loses, then RetriesExhaustedError with one attempt', async () => {
    const { store, bus } = setup({ maxAttempts: 1 });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    store.loseNextAppends(1);
    await expect(bus.send(addApple)).rejects.toMatchObject({
      name: 'RetriesExhaustedError',
      attempts: 1,
    });
    expect(store.appendCalls).toBe(2);
  });

  it('given maxAttempts 5, when four appends lose, then the fifth attempt wins', async () => {
    const { store, bus } = setup({ maxAttempts: 5 });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    store.loseNextAppends(4);
    const reply = await bus.send(addApple);
    expect(reply.streamVersion).toBe(6);
  });

  it('given a race on a new stream, when the retry sees the rival state, then the decider decides again', async () => {
    const { store, bus } = setup();
    store.loseNextAppends(1);
    // The rival's event lands first; the retry decides OpenCart again on a non-empty stream.
    const reply = await bus.send(OpenCart.create({ cartId: 'c1' }));
    expect(reply.streamVersion).toBe(2);
    expect(store.appendCalls).toBe(2);
  });

  it('given a retry whose fresh state breaks a rule, when a command is sent, then the DomainError is thrown', async () => {
    const { store, bus } = setup();
    const append = store.append.bind(store);
    let first = true;
    // A rival opens the cart between our load and our append.
    store.append = async (stream, events, options) => {
      if (first) {
        first = false;
        await append('cart-c2', [{ type: 'CartOpened', data: { cartId: 'c2' } }]);
      }
      return append(stream, events, options);
    };
    await expect(bus.send(OpenCart.create({ cartId: 'c2' }))).rejects.toMatchObject({
      name: 'DomainError',
      rule: 'CART_OPEN',
    });
    expect(store.stored.filter((e) => e.stream === 'cart-c2')).toHaveLength(1);
  });

  it('given the caller expected a version, when the append loses a race, then the retry throws ConcurrencyError', async () => {
    const { store, bus } = setup();
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    store.loseNextAppends(1);
    const error = await bus.send(addApple, { expectedVersion: 1 }).catch((e: unknown) => e);
    // What the caller saw is gone, so the bus does not keep retrying for them.
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ expected: 1, actual: 2 });
    expect(store.appendCalls).toBe(2);
  });

  it('given the store fails otherwise, when a command is sent, then the error passes through without retries', async () => {
    const { store, bus } = setup();
    store.append = async () => {
      throw new Error('disk full');
    };
    await expect(bus.send(OpenCart.create({ cartId: 'c1' }))).rejects.toThrow('disk full');
  });
});
