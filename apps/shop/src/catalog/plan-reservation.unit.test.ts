import { ConcurrencyError, DomainError } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { SYSTEM_CONTEXT } from './catalog-access.ts';
import { planStockRequest } from './plan-stock-request.ts';
import { productStream } from './product-decider.ts';
import type { ProductEvent } from './product-events.ts';
import type { StockRequest } from './stock-request.ts';
import { stockReservationStream } from './stock-reservation-state.ts';
import { createStockStreams } from './stock-streams.test-support.ts';

const product = (sku: string, onHand: number): ProductEvent[] => [
  { type: 'ProductAdded', data: { sku, name: sku, priceCents: 100 } },
  { type: 'StockReceived', data: { sku, quantity: onHand } },
];
const reserve = (orderId: string, lines: [string, number][]): StockRequest => ({
  kind: 'reserve',
  orderId,
  lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
});

function shop(stock: Record<string, number>) {
  const streams = createStockStreams();
  for (const [sku, onHand] of Object.entries(stock))
    streams.seed(productStream(sku), product(sku, onHand));
  const plan = (request: StockRequest) =>
    planStockRequest(request, streams.statesFor(request), SYSTEM_CONTEXT);
  return { streams, plan };
}

describe('planReservation', () => {
  it('given stock of every line, when an order reserves, then each product and the order record it in one plan', () => {
    const { plan } = shop({ tea: 3, mug: 1 });
    expect(
      plan(
        reserve('o-1', [
          ['tea', 2],
          ['mug', 1],
        ]),
      ),
    ).toEqual({
      outcome: 'reserved',
      appends: [
        {
          stream: 'product-tea',
          expectedVersion: 2,
          events: [{ type: 'StockReserved', data: { sku: 'tea', orderId: 'o-1', quantity: 2 } }],
        },
        {
          stream: 'product-mug',
          expectedVersion: 2,
          events: [{ type: 'StockReserved', data: { sku: 'mug', orderId: 'o-1', quantity: 1 } }],
        },
        {
          stream: 'stock_reservation-o-1',
          expectedVersion: 'no_stream',
          events: [
            {
              type: 'StockReservationMade',
              data: {
                orderId: 'o-1',
                lines: [
                  { sku: 'tea', quantity: 2 },
                  { sku: 'mug', quantity: 1 },
                ],
              },
            },
          ],
        },
      ],
    });
  });

  it('given one short line of three, when an order reserves, then nothing is held and the refusal names the first short SKU', () => {
    const { plan } = shop({ tea: 3, mug: 0, pot: 0 });
    const refusal = {
      sku: 'mug',
      reason: 'OUT_OF_STOCK',
      message: 'mug: 1 requested, 0 available',
    } as const;
    expect(
      plan(
        reserve('o-1', [
          ['tea', 2],
          ['mug', 1],
          ['pot', 1],
        ]),
      ),
    ).toEqual({
      outcome: 'refused',
      refusal,
      appends: [
        {
          stream: stockReservationStream('o-1'),
          expectedVersion: 'no_stream',
          events: [{ type: 'StockReservationRefused', data: { orderId: 'o-1', ...refusal } }],
        },
      ],
    });
  });

  it('given an unknown and a discontinued product, when they are reserved, then the refusals say so', () => {
    const { streams, plan } = shop({ tea: 3 });
    streams.seed(productStream('tea'), [{ type: 'ProductDiscontinued', data: { sku: 'tea' } }]);
    expect(plan(reserve('o-1', [['nope', 1]]))).toMatchObject({
      refusal: { sku: 'nope', reason: 'UNKNOWN_PRODUCT' },
    });
    expect(plan(reserve('o-2', [['tea', 1]]))).toMatchObject({
      refusal: { sku: 'tea', reason: 'PRODUCT_DISCONTINUED' },
    });
  });

  it('given two lines of one SKU, when they are reserved, then they are one reservation of the sum', () => {
    const { streams, plan } = shop({ tea: 3 });
    expect(
      plan(
        reserve('o-1', [
          ['tea', 2],
          ['tea', 2],
        ]),
      ),
    ).toMatchObject({
      refusal: { sku: 'tea', reason: 'OUT_OF_STOCK' },
    });
    streams.commit(
      plan(
        reserve('o-2', [
          ['tea', 1],
          ['tea', 2],
        ]),
      ),
    );
    expect(streams.product('tea')).toMatchObject({ reserved: 3, reservations: { 'o-2': 3 } });
  });

  it('given a reserved order, when the same request comes again, then nothing is planned', () => {
    const { streams, plan } = shop({ tea: 3 });
    streams.commit(plan(reserve('o-1', [['tea', 2]])));
    expect(plan(reserve('o-1', [['tea', 2]]))).toEqual({ outcome: 'unchanged', appends: [] });
    expect(streams.product('tea').reserved).toBe(2);
  });

  it('given a refused order, when it is asked again after stock arrived, then the refusal stands', () => {
    const { streams, plan } = shop({ tea: 0 });
    streams.commit(plan(reserve('o-1', [['tea', 1]])));
    streams.seed(productStream('tea'), [
      { type: 'StockReceived', data: { sku: 'tea', quantity: 5 } },
    ]);
    expect(plan(reserve('o-1', [['tea', 1]])).outcome).toBe('unchanged');
  });

  it('given the last unit, when two orders plan on the same state, then the store takes one and the retry of the other is refused', () => {
    const { streams, plan } = shop({ tea: 1 });
    const first = plan(reserve('o-1', [['tea', 1]]));
    const second = plan(reserve('o-2', [['tea', 1]]));
    // Both decided on version 2 of the product: the store can let only one of them in.
    expect(first.appends[0]).toMatchObject({ stream: 'product-tea', expectedVersion: 2 });
    expect(second.appends[0]).toMatchObject({ stream: 'product-tea', expectedVersion: 2 });
    streams.commit(first);
    expect(() => streams.commit(second)).toThrow(ConcurrencyError);
    // The wiring's retry reads again and plans on the state with the unit reserved.
    expect(plan(reserve('o-2', [['tea', 1]]))).toMatchObject({
      outcome: 'refused',
      refusal: { sku: 'tea', reason: 'OUT_OF_STOCK', message: 'tea: 1 requested, 0 available' },
    });
    expect(streams.product('tea')).toMatchObject({ onHand: 1, reserved: 1 });
  });

  it('given a plan gone stale on one of its streams, when it is committed, then no stream changes (all or nothing)', () => {
    const { streams, plan } = shop({ tea: 2, mug: 2 });
    const stale = plan(
      reserve('o-1', [
        ['tea', 1],
        ['mug', 1],
      ]),
    );
    streams.seed(productStream('mug'), [
      { type: 'StockReceived', data: { sku: 'mug', quantity: 1 } },
    ]);
    expect(() => streams.commit(stale)).toThrow(ConcurrencyError);
    expect(streams.product('tea').reserved).toBe(0);
  });

  it('given no lines, when an order reserves, then it is refused as a bug of the asker', () => {
    const { plan } = shop({});
    expect(() => plan(reserve('o-1', []))).toThrow(DomainError);
  });

  it('given a product state the wiring did not load, when planning, then it throws instead of guessing', () => {
    const { streams } = shop({ tea: 1 });
    const request = reserve('o-1', [['tea', 1]]);
    const states = { ...streams.statesFor(request), products: {} };
    expect(() => planStockRequest(request, states, SYSTEM_CONTEXT)).toThrow(/not loaded/);
  });
});
