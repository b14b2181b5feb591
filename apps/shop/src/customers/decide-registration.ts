import type { CommandOf, DecisionContext, StreamName } from '@duet/core';
import { type RegisterCustomer, ReserveEmail } from './customer-commands.ts';
import { type CustomerState, customerDecider } from './customer-decider.ts';
import type { CustomerEvent, EmailReservationEvent } from './customer-events.ts';
import { customerStream } from './customer-stream.ts';
import {
  type EmailReservationState,
  emailReservationDecider,
} from './email-reservation-decider.ts';
import { emailReservationStream } from './email-reservation-stream.ts';

type Register = CommandOf<typeof RegisterCustomer>;

/** The two streams a registration reads and writes. */
export interface RegistrationStreams {
  readonly customer: StreamName;
  readonly email: StreamName;
}

/** What a registration appends: each stream with its events (either list may be empty). */
export interface RegistrationWrites {
  readonly customer: { readonly stream: StreamName; readonly events: readonly CustomerEvent[] };
  readonly email: {
    readonly stream: StreamName;
    readonly events: readonly EmailReservationEvent[];
  };
}

/**
 * Which streams `RegisterCustomer` touches: the customer's and the email's reservation.
 *
 * @example
 * const { customer, email } = registrationStreams(command);
 * // read both, fold them with customerDecider and emailReservationDecider
 */
export function registrationStreams(command: Register): RegistrationStreams {
  return {
    customer: customerStream(command.data.customerId),
    email: emailReservationStream(command.data.email),
  };
}

function toList<E>(decided: E | readonly E[]): readonly E[] {
  return Array.isArray(decided) ? (decided as readonly E[]) : [decided as E];
}

/**
 * Decides a registration across both streams, purely: the customer's rules first (who may
 * register, not twice), then the email's (`EMAIL_TAKEN`). The wiring reads both streams,
 * folds each, calls this, and appends both lists in one transaction, each with the version
 * it read as the expected version; a `ConcurrencyError` on either means retry from the
 * read, which is how two registrations racing for one email end with one `EMAIL_TAKEN`.
 * The command must be validated first (`validate(RegisterCustomer.schema, ...)`): no bus
 * handler does it for this two-stream command.
 *
 * @example
 * const writes = decideRegistration(command, { customer, email }, { actor: 'ada', roles: ['customer'] });
 * await store.transaction(async (tx) => { await tx.append(writes.email.stream, writes.email.events, { expectedVersion: emailVersion }); ... });
 */
export function decideRegistration(
  command: Register,
  state: { readonly customer: CustomerState; readonly email: EmailReservationState },
  context: DecisionContext,
): RegistrationWrites {
  const streams = registrationStreams(command);
  const customerEvents = toList(customerDecider.decide(command, state.customer, context));
  const reserve = ReserveEmail.create({
    email: command.data.email,
    customerId: command.data.customerId,
  });
  const emailEvents = toList(emailReservationDecider.decide(reserve, state.email, context));
  return {
    customer: { stream: streams.customer, events: customerEvents },
    email: { stream: streams.email, events: emailEvents },
  };
}
