import { type DecisionContext, DomainError } from '@duet/core';
import { decideForProduct } from './decide-for-product.ts';
import { ShipStock } from './product-commands.ts';
import {
  expectedVersionOf,
  type StockPlan,
  type StockStates,
  type StreamAppend,
} from './stock-plan.ts';
import { stockReservationStream } from './stock-reservation-state.ts';

/** What the orders service asks when an order ships. */
export interface ShipmentRequest {
  readonly orderId: string;
}

/**
 * Plans sending an order's reserved stock out: `StockShipped` on each product stream
 * (reserved and on hand both drop) and one `StockReservationShipped` answer. A shipped
 * order plans nothing; an order that holds nothing cannot ship: `RESERVATION_NOT_OPEN`.
 *
 * @example
 * const plan = planShipment({ orderId: 'o-1' }, states, SYSTEM_CONTEXT);
 */
export function planShipment(
  request: ShipmentRequest,
  states: StockStates,
  context: DecisionContext,
): StockPlan {
  const { orderId } = request;
  const { status, lines } = states.reservation.state;
  if (status === 'shipped') return { outcome: 'unchanged', appends: [] };
  if (status !== 'reserved') {
    throw new DomainError(
      'RESERVATION_NOT_OPEN',
      `order ${orderId} holds no stock to ship (its reservation is ${status})`,
      { orderId, status },
    );
  }
  const appends: StreamAppend[] = [];
  for (const { sku } of lines) {
    const append = decideForProduct(ShipStock.create({ sku, orderId }), states, context);
    if (append !== undefined) appends.push(append);
  }
  appends.push({
    stream: stockReservationStream(orderId),
    expectedVersion: expectedVersionOf(states.reservation.version),
    events: [{ type: 'StockReservationShipped', data: { orderId, lines: [...lines] } }],
  });
  return { outcome: 'shipped', appends };
}
