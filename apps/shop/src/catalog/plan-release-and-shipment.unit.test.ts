import { DomainError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { SYSTEM_CONTEXT } from './catalog-access.ts';
import { planStockRequest } from './plan-stock-request.ts';
import { productStream } from './product-decider.ts';
import type { StockRequest } from './stock-request.ts';
import { createStockStreams } from './stock-streams.test-support.ts';

const reserve: StockRequest = {
  kind: 'reserve',
  orderId: 'o-1',
  lines: [
    { sku: 'tea', quantity: 2 },
    { sku: 'mug', quantity: 1 },
  ],
};
const release: StockRequest = { kind: 'release', orderId: 'o-1', reason: 'payment declined' };
const ship: StockRequest = { kind: 'ship', orderId: 'o-1' };

function shop() {
  const streams = createStockStreams();
  for (const sku of ['tea', 'mug']) {
    streams.seed(productStream(sku), [
      { type: 'ProductAdded', data: { sku, name: sku, priceCents: 100 } },
      { type: 'StockReceived', data: { sku, quantity: 3 } },
    ]);
  }
  const plan = (request: StockRequest) =>
    planStockRequest(request, streams.statesFor(request), SYSTEM_CONTEXT);
  const run = (request: StockRequest) => {
    const decided = plan(request);
    streams.commit(decided);
    return decided;
  };
  return { streams, plan, run };
}

describe('planRelease', () => {
  it('given a reserved order, when it is released, then every product gets its units back and the order one answer', () => {
    const { streams, run } = shop();
    run(reserve);
    const plan = run(release);
    expect(plan.outcome).toBe('released');
    expect(plan.appends.map((append) => append.stream)).toEqual([
      'product-tea',
      'product-mug',
      'stock_reservation-o-1',
    ]);
    expect(plan.appends[2]?.events).toEqual([
      {
        type: 'StockReservationReleased',
        data: { orderId: 'o-1', lines: reserve.lines, reason: 'payment declined' },
      },
    ]);
    expect(streams.product('tea')).toMatchObject({ onHand: 3, reserved: 0, reservations: {} });
  });

  it('given a released order, when it is released again, then nothing is planned', () => {
    const { run } = shop();
    run(reserve);
    run(release);
    expect(run(release)).toEqual({ outcome: 'unchanged', appends: [] });
  });

  it('given an unknown order, when it is released, then it is answered with no lines and a late reservation is turned away', () => {
    const { streams, run } = shop();
    const plan = run(release);
    expect(plan.appends).toEqual([
      {
        stream: 'stock_reservation-o-1',
        expectedVersion: 'no_stream',
        events: [
          {
            type: 'StockReservationReleased',
            data: { orderId: 'o-1', lines: [], reason: 'payment declined' },
          },
        ],
      },
    ]);
    expect(run(reserve).outcome).toBe('unchanged');
    expect(streams.product('tea').reserved).toBe(0);
  });

  it('given a shipped order, when it is released, then it is refused: the units have left', () => {
    const { run } = shop();
    run(reserve);
    run(ship);
    expect(() => run(release)).toThrow(DomainError);
  });
});

describe('planShipment', () => {
  it('given a reserved order, when it ships, then reserved moves out of the warehouse on every product', () => {
    const { streams, run } = shop();
    run(reserve);
    expect(run(ship).outcome).toBe('shipped');
    expect(streams.product('tea')).toMatchObject({ onHand: 1, reserved: 0 });
    expect(streams.product('mug')).toMatchObject({ onHand: 2, reserved: 0 });
  });

  it('given a shipped order, when it ships again, then nothing is planned', () => {
    const { run } = shop();
    run(reserve);
    run(ship);
    expect(run(ship)).toEqual({ outcome: 'unchanged', appends: [] });
  });

  it.each([
    ['never reserved', []],
    ['released', [release]],
  ] as const)('given an order %s, when it ships, then it is refused', (_, before) => {
    const { run } = shop();
    for (const request of before) run(request);
    expect(() => run(ship)).toThrow(
      expect.objectContaining({ rule: 'RESERVATION_NOT_OPEN' }) as unknown as Error,
    );
  });
});
