import { defineEvent, type EventOf, PersonalDataForgotten } from '@duet/core';
import { z } from 'zod';
import { customerSubject, FORGOTTEN_ADDRESS } from './customer-subject.ts';

const address = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string(),
});

export const CustomerRegistered = defineEvent(
  'CustomerRegistered',
  z.object({
    customerId: z.string(),
    name: z.string(),
    email: z.string(),
    shippingAddress: address,
    // Recorded, not implied by a constant: a later default must not change old customers.
    creditLimitCents: z.number().int(),
  }),
  {
    // Sealed with the customer's key in the store and on the broker (issue 13, section 3).
    personal: {
      subject: (data) => customerSubject(data.customerId),
      fields: ['name', 'email', 'shippingAddress'],
      forgotten: { shippingAddress: FORGOTTEN_ADDRESS },
    },
  },
);
export const CustomerRenamed = defineEvent(
  'CustomerRenamed',
  z.object({ customerId: z.string(), name: z.string() }),
  { personal: { subject: (data) => customerSubject(data.customerId), fields: ['name'] } },
);
export const ShippingAddressChanged = defineEvent(
  'ShippingAddressChanged',
  z.object({ customerId: z.string(), shippingAddress: address }),
  {
    personal: {
      subject: (data) => customerSubject(data.customerId),
      fields: ['shippingAddress'],
      forgotten: { shippingAddress: FORGOTTEN_ADDRESS },
    },
  },
);
export const CreditLimitSet = defineEvent(
  'CreditLimitSet',
  z.object({ customerId: z.string(), creditLimitCents: z.number().int() }),
);
export const CreditReserved = defineEvent(
  'CreditReserved',
  z.object({ customerId: z.string(), orderId: z.string(), amountCents: z.number().int() }),
);
export const CreditReservationRefused = defineEvent(
  'CreditReservationRefused',
  z.object({
    customerId: z.string(),
    orderId: z.string(),
    amountCents: z.number().int(),
    // What was free when refused (0 for a customer who is not registered).
    availableCents: z.number().int(),
    reason: z.enum(['CREDIT_LIMIT_EXCEEDED', 'CUSTOMER_NOT_REGISTERED']),
  }),
);
export const CreditReleased = defineEvent(
  'CreditReleased',
  z.object({
    customerId: z.string(),
    orderId: z.string(),
    amountCents: z.number().int(),
    reason: z.string(),
  }),
);
/** On the email's own stream (see `emailReservationStream`), not the customer's. */
export const EmailReserved = defineEvent('EmailReserved', z.object({ customerId: z.string() }));

/** Every event the customers service stores, for its event registry. */
export const customerServiceEvents = [
  CustomerRegistered,
  CustomerRenamed,
  ShippingAddressChanged,
  CreditLimitSet,
  CreditReserved,
  CreditReservationRefused,
  CreditReleased,
  EmailReserved,
  // The erasure of a customer's personal data, recorded without any (see ForgetCustomer).
  PersonalDataForgotten,
];

export type CustomerEvent =
  | EventOf<typeof CustomerRegistered>
  | EventOf<typeof CustomerRenamed>
  | EventOf<typeof ShippingAddressChanged>
  | EventOf<typeof CreditLimitSet>
  | EventOf<typeof CreditReserved>
  | EventOf<typeof CreditReservationRefused>
  | EventOf<typeof CreditReleased>;

export type EmailReservationEvent = EventOf<typeof EmailReserved>;

/** Why a credit reservation was refused: a stable code the saga can cancel with. */
export type CreditRefusalReason = EventOf<typeof CreditReservationRefused>['data']['reason'];
