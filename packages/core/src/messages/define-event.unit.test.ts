import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from './define-event.ts';

const schema = z.object({ sku: z.string(), quantity: z.number().int() });

describe('defineEvent', () => {
  it('given no options, when defined, then it is version 1 without upcasters', () => {
    const ItemAdded = defineEvent('ItemAdded', schema);
    expect(ItemAdded).toMatchObject({
      kind: 'event',
      type: 'ItemAdded',
      version: 1,
      upcasters: {},
    });
    expect(ItemAdded.create({ sku: 'a', quantity: 2 })).toEqual({
      type: 'ItemAdded',
      data: { sku: 'a', quantity: 2 },
    });
  });

  it('given version 3 and upcasters from 1 and 2, when defined, then it keeps them', () => {
    const up = (data: unknown) => data;
    const ItemAdded = defineEvent('ItemAdded', schema, { version: 3, upcasters: { 1: up, 2: up } });
    expect(ItemAdded.version).toBe(3);
    expect(Object.keys(ItemAdded.upcasters)).toEqual(['1', '2']);
  });

  it.each([0, -1, 1.5, Number.NaN])('given version %s, when defined, then TypeError', (version) => {
    expect(() => defineEvent('ItemAdded', schema, { version })).toThrow(TypeError);
  });

  it('given version 3 without the upcaster from 2, when defined, then TypeError names it', () => {
    expect(() =>
      defineEvent('ItemAdded', schema, { version: 3, upcasters: { 1: (data) => data } }),
    ).toThrow('version 3 needs an upcaster from version 2');
  });

  it('given a zod schema, when asked for JSON Schema, then zod provides it', () => {
    const jsonSchema = defineEvent('ItemAdded', schema).jsonSchema();
    expect(jsonSchema).toMatchObject({
      type: 'object',
      properties: { sku: { type: 'string' }, quantity: { type: 'integer' } },
      required: ['sku', 'quantity'],
    });
  });

  it('given an explicit JSON Schema, when asked for it, then that one wins', () => {
    const jsonSchema = { type: 'object', title: 'hand-written' };
    expect(defineEvent('ItemAdded', schema, { jsonSchema }).jsonSchema()).toBe(jsonSchema);
  });
});
