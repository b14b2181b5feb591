import {
  defineQuery,
  defineQueryHandler,
  type EventStore,
  NotFoundError,
  stateAt,
} from '@duet/core';
import { z } from 'zod';
import { pointInTime, pointInTimeParams } from '../../service-kit/point-in-time.ts';
import { orderDecider, STAFF_ROLE } from '../order-decider.ts';

/** Time travel: an order as it was at a version of its stream or at a moment. */
export const OrderAsOf = defineQuery('OrderAsOf', {
  description:
    'An order as it was after `version` of its events, or at the moment `at` (time travel, folded from its events); customers see only their own orders.',
  params: z.strictObject({ orderId: z.string().min(1).max(64), ...pointInTimeParams }),
  result: z.object({
    orderId: z.string(),
    /** The version folded to: the asked one, or the last one recorded by `at`. */
    version: z.number().int(),
    status: z.enum(['none', 'cart', 'placed', 'confirmed', 'cancelled', 'shipped']),
    lines: z.array(
      z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() }),
    ),
    totalCents: z.number().int(),
  }),
  projections: [],
});

/**
 * Answers `OrderAsOf` from the order's stream (no read model: the events are the history).
 * Whose order it is comes from its first event, so a customer cannot read another's order
 * as of version 0 either; a missing order and someone else's answer the same 404.
 *
 * @example
 * const handler = orderAsOfHandler(store);
 */
export function orderAsOfHandler(store: EventStore) {
  return defineQueryHandler(OrderAsOf, async (params, context) => {
    const point = pointInTime('OrderAsOf', params);
    const stream = `order-${params.orderId}`;
    const now = await stateAt(store, orderDecider, stream, { version: 1 });
    const owner = now.state.customerId;
    const staff = context.roles?.includes(STAFF_ROLE) ?? false;
    if (owner === null || (!staff && owner !== context.actor)) {
      throw new NotFoundError('order', params.orderId);
    }
    const { state, version } = await stateAt(store, orderDecider, stream, point);
    const lines = Object.entries(state.lines).map(([sku, line]) => ({
      sku,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
    }));
    return {
      orderId: params.orderId,
      version,
      status: state.status,
      lines,
      totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
    };
  });
}
