import { ConcurrencyError, DomainError, foldEvents } from '@duet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYSTEM_CONTEXT } from './catalog-access.ts';
import { planStockRequest } from './plan-stock-request.ts';
import { ReceiveStock, ReleaseStock, ReserveStock, ShipStock } from './product-commands.ts';
import {
  availableOf,
  type ProductState,
  productDecider,
  productStream,
} from './product-decider.ts';
import type { ProductEvent } from './product-events.ts';
import type { StockRequest } from './stock-request.ts';
import { createStockStreams } from './stock-streams.test-support.ts';

const skus = ['tea', 'mug'] as const;
const staff = { actor: 'sam', roles: ['staff'] };
const orderId = fc.constantFrom('o-1', 'o-2', 'o-3', 'o-4');
const sku = fc.constantFrom(...skus);
const units = fc.integer({ min: 1, max: 4 });

function expectNeverNegative(state: ProductState): void {
  expect(state.onHand).toBeGreaterThanOrEqual(0);
  expect(state.reserved).toBeGreaterThanOrEqual(0);
  expect(availableOf(state)).toBeGreaterThanOrEqual(0);
  expect(state.reserved).toBe(Object.values(state.reservations).reduce((a, b) => a + b, 0));
}

// Refusals are expected answers in a random history; anything else is a bug.
function refusedOrLost(error: unknown): boolean {
  return error instanceof DomainError || error instanceof ConcurrencyError;
}

describe('stock never goes negative', () => {
  it('given any sequence of receive, reserve, release and ship on one product, then on hand and available stay >= 0', () => {
    const command = fc.oneof(
      units.map((quantity) => ReceiveStock.create({ sku: 'tea', quantity })),
      fc
        .tuple(orderId, units)
        .map(([id, quantity]) => ReserveStock.create({ sku: 'tea', orderId: id, quantity })),
      orderId.map((id) => ReleaseStock.create({ sku: 'tea', orderId: id })),
      orderId.map((id) => ShipStock.create({ sku: 'tea', orderId: id })),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        const history: ProductEvent[] = [
          { type: 'ProductAdded', data: { sku: 'tea', name: 'Tea', priceCents: 1 } },
        ];
        for (const next of commands) {
          const state = foldEvents(productDecider, history);
          const context = next.type === 'ReceiveStock' ? staff : SYSTEM_CONTEXT;
          try {
            const decided = productDecider.decide(next, state, context);
            history.push(...(Array.isArray(decided) ? decided : [decided as ProductEvent]));
          } catch (error) {
            if (!refusedOrLost(error)) throw error;
          }
          expectNeverNegative(foldEvents(productDecider, history));
        }
      }),
    );
  });

  it('given any sequence of multi-line requests, some racing on stale state, then every product stays >= 0', () => {
    const lines = fc.array(fc.record({ sku, quantity: units }), { minLength: 1, maxLength: 3 });
    const request: fc.Arbitrary<StockRequest> = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), orderId, lines }),
      fc.record({ kind: fc.constant('release' as const), orderId, reason: fc.constant('r') }),
      fc.record({ kind: fc.constant('ship' as const), orderId }),
    );
    const step = fc.oneof(
      fc.record({ receive: sku, quantity: units }),
      // Two requests planned on the same reads, committed one after the other.
      fc.record({ race: fc.tuple(request, request) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const streams = createStockStreams();
        for (const one of skus) {
          streams.seed(productStream(one), [
            { type: 'ProductAdded', data: { sku: one, name: one, priceCents: 1 } },
          ]);
        }
        for (const next of steps) {
          if ('receive' in next) {
            const received = ReceiveStock.create({ sku: next.receive, quantity: next.quantity });
            const state = streams.product(next.receive);
            const decided = productDecider.decide(received, state, staff);
            streams.seed(
              productStream(next.receive),
              Array.isArray(decided) ? decided : [decided as ProductEvent],
            );
          } else {
            const plans = next.race.map((one) => {
              try {
                return planStockRequest(one, streams.statesFor(one), SYSTEM_CONTEXT);
              } catch (error) {
                if (!refusedOrLost(error)) throw error;
                return undefined;
              }
            });
            for (const plan of plans) {
              try {
                if (plan) streams.commit(plan);
              } catch (error) {
                if (!refusedOrLost(error)) throw error;
              }
            }
          }
          for (const one of skus) expectNeverNegative(streams.product(one));
        }
      }),
    );
  });
});
