import {
  defineQuery,
  defineQueryHandler,
  type EventStore,
  NotFoundError,
  stateAt,
} from '@duet/core';
import { z } from 'zod';
import { pointInTime, pointInTimeParams } from '../service-kit/point-in-time.ts';
import { customerDecider } from './customer-decider.ts';
import { STAFF_ROLE } from './customer-roles.ts';
import { customerStream } from './customer-stream.ts';

/** Time travel: a customer as they were at a version of their stream or at a moment. */
export const CustomerAsOf = defineQuery('CustomerAsOf', {
  description:
    'A customer as they were after `version` of their events, or at the moment `at` (time travel): name, email, address and credit. Customers see only themselves.',
  params: z.strictObject({ customerId: z.string().min(1).max(64), ...pointInTimeParams }),
  result: z.object({
    customerId: z.string(),
    version: z.number().int(),
    registered: z.boolean(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    shippingAddress: z
      .object({
        line1: z.string(),
        line2: z.string().optional(),
        city: z.string(),
        postalCode: z.string(),
        country: z.string(),
      })
      .nullable(),
    creditLimitCents: z.number().int(),
    reservedCents: z.number().int(),
  }),
  projections: [],
});

/**
 * Answers `CustomerAsOf` from the customer's stream. A missing customer and someone else
 * answer the same 404.
 *
 * @example
 * const handler = customerAsOfHandler(store);
 */
export function customerAsOfHandler(store: EventStore) {
  return defineQueryHandler(CustomerAsOf, async (params, context) => {
    const point = pointInTime('CustomerAsOf', params);
    const staff = context.roles?.includes(STAFF_ROLE) ?? false;
    if (!staff && params.customerId !== context.actor) {
      throw new NotFoundError('customer', params.customerId);
    }
    const stream = customerStream(params.customerId);
    const { state: first } = await stateAt(store, customerDecider, stream, { version: 1 });
    if (first.status === 'none') throw new NotFoundError('customer', params.customerId);
    const { state, version } = await stateAt(store, customerDecider, stream, point);
    return {
      customerId: params.customerId,
      version,
      registered: state.status === 'registered',
      name: state.name,
      email: state.email,
      shippingAddress: state.shippingAddress,
      creditLimitCents: state.creditLimitCents,
      reservedCents: Object.values(state.credit)
        .filter((hold) => hold.status === 'reserved')
        .reduce((sum, hold) => sum + hold.amountCents, 0),
    };
  });
}
