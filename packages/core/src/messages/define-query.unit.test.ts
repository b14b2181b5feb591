import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineQuery } from './define-query.ts';

describe('defineQuery', () => {
  it('given params, result and projections, when defined, then it keeps them and their JSON Schemas', () => {
    const MyOrders = defineQuery('MyOrders', {
      params: z.object({ customerId: z.string() }),
      result: z.array(z.string()),
      projections: ['my-orders'],
    });
    expect(MyOrders).toMatchObject({ kind: 'query', type: 'MyOrders', projections: ['my-orders'] });
    expect(MyOrders.jsonSchema()).toMatchObject({
      params: { type: 'object' },
      result: { type: 'array' },
    });
  });

  it('given a parameter with a default, when its JSON Schema is read, then the parameter is optional there (clients may leave it out) and its result fields stay required', () => {
    const Page = defineQuery('Page', {
      params: z.object({ customerId: z.string(), limit: z.number().int().default(20) }),
      result: z.object({ items: z.array(z.string()), limit: z.number().default(20) }),
    });
    const { params, result } = Page.jsonSchema();
    expect(params).toMatchObject({ required: ['customerId'] });
    expect((params as { properties: Record<string, unknown> }).properties.limit).toMatchObject({
      default: 20,
    });
    expect(result).toMatchObject({ required: ['items', 'limit'] });
  });

  it('given no projections, when defined, then the list is empty', () => {
    const Ping = defineQuery('Ping', { params: z.object({}), result: z.literal('pong') });
    expect(Ping.projections).toEqual([]);
  });
});
