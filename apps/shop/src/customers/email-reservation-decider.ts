import { type Decider, DomainError } from '@duet/core';
import type { EmailReservationCommand } from './customer-commands.ts';
import type { EmailReservationEvent } from './customer-events.ts';

export interface EmailReservationState {
  /** Who holds the email, or null while it is free. */
  readonly customerId: string | null;
}

function decide(
  command: EmailReservationCommand,
  state: EmailReservationState,
): EmailReservationEvent | readonly EmailReservationEvent[] {
  const { customerId } = command.data;
  // The holder asking again is a retried registration: nothing to record.
  if (state.customerId === customerId) return [];
  if (state.customerId !== null) {
    // No customerId in the error: it would tell a stranger whose address this is.
    throw new DomainError('EMAIL_TAKEN', 'another customer has registered this email');
  }
  return { type: 'EmailReserved', data: { customerId } };
}

/**
 * Keeps an email for one customer, on the email's own stream (`emailReservationStream`).
 * Uniqueness rests on the stream's version check, not on a read model that may lag: two
 * registrations with one email both try to append to the same stream, and one loses.
 *
 * @example
 * const state = foldEvents(emailReservationDecider, history);
 * emailReservationDecider.decide(ReserveEmail.create({ email, customerId: 'ada' }), state, context);
 */
export const emailReservationDecider: Decider<
  EmailReservationCommand,
  EmailReservationState,
  EmailReservationEvent
> = {
  initialState: () => ({ customerId: null }),
  evolve: (_, event) => ({ customerId: event.data.customerId }),
  decide,
};
