import { type DecisionContext, DomainError } from '@duet/core';
import { decideForProduct } from './decide-for-product.ts';
import { ReleaseStock } from './product-commands.ts';
import {
  expectedVersionOf,
  type StockPlan,
  type StockStates,
  type StreamAppend,
} from './stock-plan.ts';
import { stockReservationStream } from './stock-reservation-state.ts';

/** What the placement saga asks when it compensates: give the order's stock back. */
export interface ReleaseRequest {
  readonly orderId: string;
  readonly reason: string;
}

/**
 * Plans giving back what an order holds: `StockReleased` on each product stream and one
 * `StockReservationReleased` answer. A released order plans nothing. An order with
 * nothing held (never reserved, or refused) still gets its answer, with no lines: the
 * saga hears back, and the `released` status turns away a reservation request that
 * arrives after its release (messages of one order may be redelivered late). Shipped
 * stock has left the warehouse and cannot be released: `ALREADY_SHIPPED`.
 *
 * @example
 * const plan = planRelease({ orderId: 'o-1', reason: 'payment declined' }, states, SYSTEM_CONTEXT);
 */
export function planRelease(
  request: ReleaseRequest,
  states: StockStates,
  context: DecisionContext,
): StockPlan {
  const { orderId, reason } = request;
  const { status, lines } = states.reservation.state;
  if (status === 'released') return { outcome: 'unchanged', appends: [] };
  if (status === 'shipped') {
    throw new DomainError('ALREADY_SHIPPED', `order ${orderId}'s stock has shipped`, { orderId });
  }
  const held = status === 'reserved' ? lines : [];
  const appends: StreamAppend[] = [];
  for (const { sku } of held) {
    const append = decideForProduct(ReleaseStock.create({ sku, orderId }), states, context);
    if (append !== undefined) appends.push(append);
  }
  appends.push({
    stream: stockReservationStream(orderId),
    expectedVersion: expectedVersionOf(states.reservation.version),
    events: [{ type: 'StockReservationReleased', data: { orderId, lines: [...held], reason } }],
  });
  return { outcome: 'released', appends };
}
