import { describe, expect, it } from 'vitest';
import config from '../duet.config.ts';
import { orderDecider } from './orders/order-decider.ts';

// The config docs/cli.md shows (region shop-config) is the one `duet --config` loads for the
// shop (duet-load.e2e.test.ts runs `duet load shop` with it): it must name what the orders
// service runs, or `projections status` shows other projections than the shop's.
describe("the shop's duet config", () => {
  it('given the orders service, then the config names its schema, runner schemas, projections and decider', () => {
    expect(config.schema).toBe('orders');
    expect(config.projectionRunner).toEqual({
      schema: 'orders_projections',
      readModelSchema: 'orders_read',
    });
    expect(config.projections.map((p) => [p.name, p.version])).toEqual([
      ['my_orders', 2],
      ['order_detail', expect.any(Number)],
    ]);
    expect(config.deciders.order).toBe(orderDecider);
  });

  it('given its events, then each type is there once, and the shop workload is named', () => {
    const types = config.events.map((event) => event.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(expect.arrayContaining(['ItemAdded', 'OrderPlaced']));
    expect(Object.keys(config.workloads)).toEqual(['shop']);
  });
});
