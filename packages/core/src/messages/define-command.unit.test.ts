import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCommand } from './define-command.ts';

describe('defineCommand', () => {
  const PlaceOrder = defineCommand('PlaceOrder', z.object({ orderId: z.string() }), {
    description: 'Turn the cart into an order.',
  });

  it('given a type and schema, when a command is created, then it is { type, data }', () => {
    expect(PlaceOrder.kind).toBe('command');
    expect(PlaceOrder.description).toBe('Turn the cart into an order.');
    expect(PlaceOrder.create({ orderId: 'o1' })).toEqual({
      type: 'PlaceOrder',
      data: { orderId: 'o1' },
    });
  });

  it('given a field with a default, when asked for JSON Schema, then the field is optional (what a client may send)', () => {
    const Ship = defineCommand(
      'Ship',
      z.object({ orderId: z.string(), carrier: z.string().default('post') }),
    );
    expect(Ship.jsonSchema()).toMatchObject({ required: ['orderId'] });
  });

  it('given no description, when defined, then the key is absent', () => {
    expect(defineCommand('X', z.null())).not.toHaveProperty('description');
  });

  it('given a zod schema, when asked for JSON Schema, then zod provides it', () => {
    expect(PlaceOrder.jsonSchema()).toMatchObject({ properties: { orderId: { type: 'string' } } });
  });
});
