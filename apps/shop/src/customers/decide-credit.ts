import type { CommandOf } from '@duet/core';
import type { ReleaseCredit, ReserveCredit } from './customer-commands.ts';
import type { CreditHold, CustomerState } from './customer-decider.ts';
import type { CustomerEvent } from './customer-events.ts';

// orderIds are keys of a plain object: only its own properties are holds, or an orderId
// named `constructor` would find Object.prototype's members in every customer.
function holdOf(state: CustomerState, orderId: string): CreditHold | undefined {
  return Object.hasOwn(state.credit, orderId) ? state.credit[orderId] : undefined;
}

/**
 * Credit the customer can still hold: the limit less every open reservation, never below
 * zero (a limit lowered under what is held leaves the holds, and nothing free).
 *
 * @example
 * availableCredit({ ...state, creditLimitCents: 100_000 }); // 100_000 with nothing held
 */
export function availableCredit(state: CustomerState): number {
  let held = 0;
  for (const hold of Object.values(state.credit)) {
    if (hold.status === 'reserved') held += hold.amountCents;
  }
  return Math.max(0, state.creditLimitCents - held);
}

/**
 * The answer to a saga's credit request: `CreditReserved` when it fits, else
 * `CreditReservationRefused` with a reason. A refusal is an event, not an error, because
 * the saga waits for an answer. An order already answered gets nothing new (the first
 * answer stands; a redelivered request must not turn a refusal into a hold).
 *
 * @example
 * decideCreditReservation({ customerId: 'ada', orderId: 'o-1', amountCents: 2_100 }, state);
 * // { type: 'CreditReserved', data: { customerId: 'ada', orderId: 'o-1', amountCents: 2_100 } }
 */
export function decideCreditReservation(
  request: CommandOf<typeof ReserveCredit>['data'],
  state: CustomerState,
): CustomerEvent | readonly CustomerEvent[] {
  if (holdOf(state, request.orderId) !== undefined) return [];
  if (state.status === 'none') {
    // Orders may come from principals never registered here: refuse, so the saga cancels.
    return {
      type: 'CreditReservationRefused',
      data: { ...request, availableCents: 0, reason: 'CUSTOMER_NOT_REGISTERED' },
    };
  }
  const availableCents = availableCredit(state);
  if (request.amountCents > availableCents) {
    return {
      type: 'CreditReservationRefused',
      data: { ...request, availableCents, reason: 'CREDIT_LIMIT_EXCEEDED' },
    };
  }
  return { type: 'CreditReserved', data: request };
}

/**
 * Gives back an order's hold. Releasing what is not held (never reserved, refused, or
 * released already) changes nothing and records nothing: compensation may run twice.
 *
 * @example
 * decideCreditRelease({ customerId: 'ada', orderId: 'o-1', reason: 'out of stock' }, state);
 * // { type: 'CreditReleased', data: { customerId: 'ada', orderId: 'o-1', amountCents: 2_100, reason: 'out of stock' } }
 */
export function decideCreditRelease(
  request: CommandOf<typeof ReleaseCredit>['data'],
  state: CustomerState,
): CustomerEvent | readonly CustomerEvent[] {
  const hold = holdOf(state, request.orderId);
  if (hold?.status !== 'reserved') return [];
  return { type: 'CreditReleased', data: { ...request, amountCents: hold.amountCents } };
}
