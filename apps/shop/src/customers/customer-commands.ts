import { type CommandOf, defineCommand } from '@duet/core';
import { z } from 'zod';
import { countryCode } from './country-code.ts';

const customerId = z.string().min(1).max(64);
const orderId = z.string().min(1).max(64);
const name = z.string().trim().min(1).max(200);
const cents = z.number().int().min(0);

/** A postal address; `line2` is left out rather than sent empty. */
export const shippingAddressSchema = z.strictObject({
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().min(1).max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: countryCode,
});

export const RegisterCustomer = defineCommand(
  'RegisterCustomer',
  z.strictObject({
    customerId,
    name,
    // Kept as given; the uniqueness check compares it trimmed and lower-cased.
    email: z.email().max(254),
    shippingAddress: shippingAddressSchema,
  }),
  {
    description:
      'Register a customer (yourself, or anyone as staff); the email must not belong to another customer.',
  },
);
export const RenameCustomer = defineCommand(
  'RenameCustomer',
  z.strictObject({ customerId, name }),
  {
    description: "Change a customer's name.",
  },
);
export const ChangeShippingAddress = defineCommand(
  'ChangeShippingAddress',
  z.strictObject({ customerId, shippingAddress: shippingAddressSchema }),
  { description: 'Change where orders are shipped.' },
);
export const SetCreditLimit = defineCommand(
  'SetCreditLimit',
  // Up to 10^12 cents, so the sum of reservations stays an exact JavaScript number.
  z.strictObject({ customerId, creditLimitCents: cents.max(1_000_000_000_000) }),
  { description: "Staff: set how much credit the customer's open orders may hold." },
);
export const ForgetCustomer = defineCommand('ForgetCustomer', z.strictObject({ customerId }), {
  description:
    "Staff: erase a customer's personal data (name, email, addresses) everywhere by deleting its key. Cannot be undone.",
});
export const ReserveCredit = defineCommand(
  'ReserveCredit',
  // No upper bound below the safe integers: any order total must get an answer, and one
  // above every limit gets a refusal rather than a validation error the saga never sees.
  z.strictObject({ customerId, orderId, amountCents: cents.max(Number.MAX_SAFE_INTEGER) }),
  { description: "Order placement saga: hold an order's amount against the credit limit." },
);
export const ReleaseCredit = defineCommand(
  'ReleaseCredit',
  z.strictObject({ customerId, orderId, reason: z.string().min(1).max(500) }),
  { description: "Order placement saga: give back an order's hold." },
);

/**
 * The email reservation's own command. Not sent by clients: `decideRegistration` makes it
 * from `RegisterCustomer`, so it is left out of `customerCommands`.
 */
export const ReserveEmail = defineCommand(
  'ReserveEmail',
  z.strictObject({ email: z.email().max(254), customerId }),
);

/**
 * Every command clients and the saga send to the customers service (for validation, the
 * docs and the bus). `RegisterCustomer` writes two streams: see `decideRegistration`.
 */
export const customerCommands = [
  RegisterCustomer,
  RenameCustomer,
  ChangeShippingAddress,
  SetCreditLimit,
  ForgetCustomer,
  ReserveCredit,
  ReleaseCredit,
];

/** The commands decided on the customer's stream alone: a command handler can take these. */
export const customerStreamCommands = [
  RenameCustomer,
  ChangeShippingAddress,
  SetCreditLimit,
  ReserveCredit,
  ReleaseCredit,
];

export type ShippingAddress = z.infer<typeof shippingAddressSchema>;

export type CustomerCommand =
  | CommandOf<typeof RegisterCustomer>
  | CommandOf<typeof RenameCustomer>
  | CommandOf<typeof ChangeShippingAddress>
  | CommandOf<typeof SetCreditLimit>
  | CommandOf<typeof ReserveCredit>
  | CommandOf<typeof ReleaseCredit>;

export type EmailReservationCommand = CommandOf<typeof ReserveEmail>;
