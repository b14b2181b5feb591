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

  it('given no projections, when defined, then the list is empty', () => {
    const Ping = defineQuery('Ping', { params: z.object({}), result: z.literal('pong') });
    expect(Ping.projections).toEqual([]);
  });
});
