import { describe, expect, it } from 'vitest';
import { cartDecider, cartHandler, OpenCart, Touch } from '../../test-support/command-bus.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { CommandHandlerOptions } from './define-command-handler.ts';
import { defineCommandHandler } from './define-command-handler.ts';

type Options = CommandHandlerOptions<never, unknown, never>;
const good = { decider: cartDecider, commands: [OpenCart, Touch], stream: () => 'cart-1' };

describe('defineCommandHandler', () => {
  it('given a decider, commands and a stream, when defined, then the handler keeps them', () => {
    expect(cartHandler.kind).toBe('command-handler');
    expect(cartHandler.commands.map((c) => c.type)).toEqual(['OpenCart', 'AddItem', 'Touch']);
    expect(cartHandler.stream(OpenCart.create({ cartId: 'x' }))).toBe('cart-x');
    expect(cartHandler).not.toHaveProperty('snapshot');
    expect(cartHandler).not.toHaveProperty('authorize');
  });

  it.each([
    ['decider', { decider: { initialState: () => 0 } }],
    ['commands', { commands: [] }],
    ['commands', { commands: [{ type: 'OpenCart' }] }],
    ['commands', { commands: [OpenCart, OpenCart] }],
    ['stream', { stream: 'cart' }],
    ['authorize', { authorize: true }],
    ['snapshot', { snapshot: { version: 0, every: 10 } }],
    ['snapshot', { snapshot: { version: 1, every: 2.5 } }],
  ])('given a bad %s, when defined, then ValidationError names the option', (option, bad) => {
    const define = () => defineCommandHandler({ ...good, ...bad } as unknown as Options);
    expect(define).toThrow(ValidationError);
    expect(define).toThrow(`option ${option}`);
  });
});
