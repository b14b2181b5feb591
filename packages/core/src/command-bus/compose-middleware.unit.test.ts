import { describe, expect, it } from 'vitest';
import {
  AddItem,
  cartHandler,
  createFakeEventStore,
  OpenCart,
} from '../../test-support/command-bus.ts';
import { DomainError } from '../errors/domain-error.ts';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import type { CommandMiddleware, CommandResult } from './command-bus.ts';
import { composeMiddleware } from './compose-middleware.ts';
import { createCommandBus } from './create-command-bus.ts';

const envelope = { command: { type: 'T', data: null }, context: {} };
const result = {
  stream: 's',
  streamVersion: 1,
  events: [],
  commandId: 'c',
} as unknown as CommandResult;

function tracing(name: string, trail: string[]): CommandMiddleware {
  return async ({ command }, next) => {
    trail.push(`${name} in ${command.type}`);
    try {
      return await next();
    } catch (error) {
      trail.push(`${name} saw ${(error as Error).name}`);
      throw error;
    } finally {
      trail.push(`${name} out`);
    }
  };
}

describe('composeMiddleware', () => {
  it('given two middleware, when run, then the first is outermost', async () => {
    const trail: string[] = [];
    const run = composeMiddleware([tracing('a', trail), tracing('b', trail)], async () => {
      trail.push('handler');
      return result;
    });
    await expect(run(envelope)).resolves.toBe(result);
    expect(trail).toEqual(['a in T', 'b in T', 'handler', 'b out', 'a out']);
  });

  it('given no middleware, when run, then the last step runs alone', async () => {
    await expect(composeMiddleware([], async () => result)(envelope)).resolves.toBe(result);
  });

  it('given a middleware that answers itself, when run, then the rest is skipped', async () => {
    const cached: CommandMiddleware = async () => result;
    let reached = false;
    const run = composeMiddleware([cached], async () => {
      reached = true;
      return result;
    });
    await run(envelope);
    expect(reached).toBe(false);
  });

  it('given a middleware that calls next twice, when run, then it rejects', async () => {
    const twice: CommandMiddleware = async (_, next) => {
      await next();
      return next();
    };
    await expect(composeMiddleware([twice], async () => result)(envelope)).rejects.toThrow(
      /more than once/,
    );
  });
});

describe('createCommandBus middleware', () => {
  it('given middleware, when a command succeeds, then they wrap the pipeline in order', async () => {
    const trail: string[] = [];
    const bus = createCommandBus({
      store: createFakeEventStore(),
      handlers: [cartHandler],
      middleware: [tracing('log', trail), tracing('trace', trail)],
    });
    await bus.send(OpenCart.create({ cartId: 'c1' }));
    expect(trail).toEqual(['log in OpenCart', 'trace in OpenCart', 'trace out', 'log out']);
  });

  it('given middleware, when the pipeline fails, then each sees the error and it reaches the caller', async () => {
    const trail: string[] = [];
    const bus = createCommandBus({
      store: createFakeEventStore(),
      handlers: [cartHandler],
      middleware: [tracing('log', trail), tracing('trace', trail)],
    });
    await expect(bus.send(AddItem.create({ cartId: 'c1', sku: 'a', quantity: 1 }))).rejects.toThrow(
      DomainError,
    );
    await expect(bus.send({ type: 'Nope', data: {} })).rejects.toThrow(UnknownMessageError);
    expect(trail).toEqual([
      'log in AddItem',
      'trace in AddItem',
      'trace saw DomainError',
      'trace out',
      'log saw DomainError',
      'log out',
      'log in Nope',
      'trace in Nope',
      'trace saw UnknownMessageError',
      'trace out',
      'log saw UnknownMessageError',
      'log out',
    ]);
  });

  it('given middleware, when it reads the context, then it sees what the caller passed', async () => {
    let actor: string | undefined;
    const bus = createCommandBus({
      store: createFakeEventStore(),
      handlers: [cartHandler],
      middleware: [
        async ({ context }, next) => {
          actor = context.actor;
          return next();
        },
      ],
    });
    await bus.send(OpenCart.create({ cartId: 'c1' }), { actor: 'ann' });
    expect(actor).toBe('ann');
  });
});
