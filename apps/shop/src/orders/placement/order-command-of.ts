import type { DecisionContext } from '@duet/core';
import { CancelOrder, ConfirmOrder, type OrderCommand } from '../order-commands.ts';
import { STAFF_ROLE } from '../order-decider.ts';
import type { PlacementEvent } from './placement-state.ts';

/**
 * Who the saga's order commands come from. The order decider lets staff confirm and cancel
 * any order and has no system role yet, so the saga acts as staff under its own name.
 *
 * @example
 * await bus.send(orderCommandOf(event)!, PLACEMENT_SAGA_CONTEXT);
 */
export const PLACEMENT_SAGA_CONTEXT: DecisionContext = {
  actor: 'orders:order-placement-saga',
  roles: [STAFF_ROLE],
};

/**
 * The order aggregate's command when the saga settles: `ConfirmOrder` for a confirmed
 * placement, `CancelOrder` with the reason for a cancelled one; undefined for every other
 * event, and for a placement stopped because the order was cancelled already. The order
 * refuses a second confirm or cancel (`ORDER_STATUS`): the wiring treats that as done.
 *
 * @example
 * orderCommandOf({ type: 'PlacementCancelled', data: { orderId: 'o-1', code: 'STOCK_REFUSED', reason: 'out of stock: tea', at } });
 * // { type: 'CancelOrder', data: { orderId: 'o-1', reason: 'out of stock: tea' } }
 */
export function orderCommandOf(event: PlacementEvent): OrderCommand | undefined {
  switch (event.type) {
    case 'PlacementConfirmed':
      return ConfirmOrder.create({ orderId: event.data.orderId });
    case 'PlacementCancelled': {
      if (event.data.code === 'ORDER_CANCELLED') return undefined;
      const { orderId, reason } = event.data;
      return CancelOrder.create({ orderId, reason });
    }
    default:
      return undefined;
  }
}
