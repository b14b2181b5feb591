import {
  defineContracts,
  defineIntegrationEvent,
  type EventDefinition,
  PersonalDataForgotten,
  type RecordedEvent,
} from '@duet/core';
import { z } from 'zod';
import {
  CreditReleased,
  CreditReservationRefused,
  CreditReserved,
  CustomerRegistered,
  CustomerRenamed,
  ShippingAddressChanged,
} from '../customers/customer-events.ts';
import {
  customerIdOfSubject,
  customerSubject,
  FORGOTTEN_ADDRESS,
} from '../customers/customer-subject.ts';

// What the customers service publishes (issue 11): names and addresses for the order
// history view, and the answers to the placement saga's credit requests. The email stays
// in the service: no consumer needs it, and personal data copied elsewhere must be erased
// elsewhere too.
//
// Names and addresses travel sealed with the customer's key (issue 13, section 3): the
// broker's stream holds ciphertext only, consumers with read access to the customers' key
// table open it, and once the customer is forgotten nobody can. CustomerForgotten tells
// consumers to drop the copies they keep in plain text.

const customerId = z.string().min(1).max(64);
const orderId = z.string().min(1).max(64);

// The relay calls `map` only for the `from` types and checks the result against the
// contract's schema before publishing, so reading the data as that event's is safe.
function dataOf<Data>(_: EventDefinition<string, Data>, event: RecordedEvent): Data {
  return event.data as Data;
}

export const CustomerRegisteredV1 = defineIntegrationEvent({
  service: 'customers',
  name: 'CustomerRegistered',
  description: 'A customer registered (name only: the email is not published).',
  schema: z.object({ customerId, name: z.string() }),
  personal: { subject: (data) => customerSubject(data.customerId), fields: ['name'] },
  from: CustomerRegistered,
  map: (event) => {
    const { customerId, name } = dataOf(CustomerRegistered, event);
    return { customerId, name };
  },
});
export const CustomerRenamedV1 = defineIntegrationEvent({
  service: 'customers',
  name: 'CustomerRenamed',
  schema: z.object({ customerId, name: z.string() }),
  personal: { subject: (data) => customerSubject(data.customerId), fields: ['name'] },
  from: CustomerRenamed,
  map: (event) => {
    const { customerId, name } = dataOf(CustomerRenamed, event);
    return { customerId, name };
  },
});
export const ShippingAddressChangedV1 = defineIntegrationEvent({
  service: 'customers',
  name: 'ShippingAddressChanged',
  schema: z.object({
    customerId,
    address: z.object({
      line1: z.string(),
      line2: z.string().optional(),
      city: z.string(),
      postalCode: z.string(),
      country: z.string().length(2),
    }),
  }),
  personal: {
    subject: (data) => customerSubject(data.customerId),
    fields: ['address'],
    forgotten: { address: FORGOTTEN_ADDRESS },
  },
  from: ShippingAddressChanged,
  map: (event) => {
    const { customerId, shippingAddress } = dataOf(ShippingAddressChanged, event);
    return { customerId, address: shippingAddress };
  },
});
/**
 * A customer's personal data was erased: consumers replace the names and addresses they
 * copied with the forgotten marker. Carries the customer id only.
 */
export const CustomerForgottenV1 = defineIntegrationEvent({
  service: 'customers',
  name: 'CustomerForgotten',
  description:
    "A data subject's personal data was erased: drop every copy of it. `customerId` is null for a subject that is not a customer.",
  schema: z.object({
    subject: z.string().min(1).max(200),
    customerId: customerId.nullable(),
    forgottenAt: z.string(),
  }),
  from: PersonalDataForgotten,
  map: (event) => {
    const { subject, forgottenAt } = dataOf(PersonalDataForgotten, event);
    // `duet forget` may name any subject: one that is no customer is published, not a stuck relay.
    return { subject, customerId: customerIdOfSubject(subject), forgottenAt };
  },
});
/** Answers the saga's CreditReservationRequested: the amount is held for the order. */
export const CreditReservedV1 = defineIntegrationEvent({
  service: 'customers',
  name: 'CreditReserved',
  schema: z.object({ orderId, customerId, amountCents: z.number().int().min(0) }),
  from: CreditReserved,
  map: (event) => {
    const { orderId, customerId, amountCents } = dataOf(CreditReserved, event);
    return { orderId, customerId, amountCents };
  },
});
/** Answers the saga's CreditReservationRequested: nothing held; `reason` is a stable code. */
export const CreditReservationRefusedV1 = defineIntegrationEvent({
  service: 'customers',
  name: 'CreditReservationRefused',
  // A string, not an enum: a new reason must not break consumers that only pass it on.
  schema: z.object({ orderId, customerId, reason: z.string() }),
  from: CreditReservationRefused,
  map: (event) => {
    const { orderId, customerId, reason } = dataOf(CreditReservationRefused, event);
    return { orderId, customerId, reason };
  },
});
/** Answers the saga's CreditReleaseRequested when a hold was given back. */
export const CreditReleasedV1 = defineIntegrationEvent({
  service: 'customers',
  name: 'CreditReleased',
  schema: z.object({ orderId, customerId }),
  from: CreditReleased,
  map: (event) => {
    const { orderId, customerId } = dataOf(CreditReleased, event);
    return { orderId, customerId };
  },
});

/**
 * Everything the customers service publishes, for its relay and the AsyncAPI document.
 *
 * @example
 * customersContracts.forDomainType('CreditReserved')?.subject; // 'customers.CreditReserved'
 */
export const customersContracts = defineContracts('customers', [
  CustomerRegisteredV1,
  CustomerRenamedV1,
  ShippingAddressChangedV1,
  CustomerForgottenV1,
  CreditReservedV1,
  CreditReservationRefusedV1,
  CreditReleasedV1,
]);
