import type { CommandOf, DecisionContext, IntegrationDataOf } from '@duet/core';
import type {
  CreditReleaseRequestedV1,
  CreditReservationRequestedV1,
} from '../contracts/order-placement-contracts.ts';
import { ReleaseCredit, ReserveCredit } from './customer-commands.ts';
import { SYSTEM_ROLE } from './customer-roles.ts';

/**
 * The decision context the wiring passes with every command made from the saga's requests:
 * no customer sent them, so the actor is the saga and the role `system` (the only role the
 * customer decider lets reserve and release credit).
 *
 * @example
 * await bus.send(creditReservationCommand(message.data), SAGA_CONTEXT);
 */
export const SAGA_CONTEXT: DecisionContext = {
  actor: 'orders:order-placement-saga',
  roles: [SYSTEM_ROLE],
};

const MAX_REASON_LENGTH = 500;

/**
 * `ReserveCredit` for the orders service's `CreditReservationRequested`; send it with
 * `SAGA_CONTEXT`. The customer is the one the request names.
 *
 * @example
 * creditReservationCommand({ orderId: 'o-1', customerId: 'ada', amountCents: 2_100 });
 * // { type: 'ReserveCredit', data: { customerId: 'ada', orderId: 'o-1', amountCents: 2_100 } }
 */
export function creditReservationCommand(
  data: IntegrationDataOf<typeof CreditReservationRequestedV1>,
): CommandOf<typeof ReserveCredit> {
  const { customerId, orderId, amountCents } = data;
  return ReserveCredit.create({ customerId, orderId, amountCents });
}

/**
 * `ReleaseCredit` for the orders service's `CreditReleaseRequested`; send it with
 * `SAGA_CONTEXT`. The contract does not bound the reason; the command does, so a long one
 * is cut rather than failing validation and leaving the hold in place.
 *
 * @example
 * creditReleaseCommand({ orderId: 'o-1', customerId: 'ada', reason: 'out of stock' });
 */
export function creditReleaseCommand(
  data: IntegrationDataOf<typeof CreditReleaseRequestedV1>,
): CommandOf<typeof ReleaseCredit> {
  const { customerId, orderId } = data;
  const reason = data.reason.slice(0, MAX_REASON_LENGTH) || 'released by the order placement saga';
  return ReleaseCredit.create({ customerId, orderId, reason });
}
