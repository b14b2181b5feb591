import { defineEvent, type EventOf } from '@duet/core';
import { z } from 'zod';

const orderId = z.string();
const paymentId = z.string();

/**
 * The gateway approved the amount; `authorizationCode` is what capture, void and refund
 * quote back to it.
 *
 * @example
 * PaymentAuthorized.create({ orderId: 'o-1', paymentId: 'payment-o-1', customerId: 'ada',
 *   amountCents: 2100, authorizationCode: 'SIM-1A2B3C' });
 */
export const PaymentAuthorized = defineEvent(
  'PaymentAuthorized',
  z.object({
    orderId,
    paymentId,
    customerId: z.string(),
    amountCents: z.number().int(),
    authorizationCode: z.string(),
  }),
);

/**
 * The gateway said no: an answer for the saga, not an error. Its amount lets a repeated
 * authorization be told from a different one.
 *
 * @example
 * PaymentDeclined.create({ orderId: 'o-1', paymentId: 'payment-o-1', customerId: 'ada',
 *   amountCents: 2100, reason: 'insufficient funds' });
 */
export const PaymentDeclined = defineEvent(
  'PaymentDeclined',
  z.object({
    orderId,
    paymentId,
    customerId: z.string(),
    amountCents: z.number().int(),
    reason: z.string(),
  }),
);

/**
 * The authorized amount was taken.
 *
 * @example
 * PaymentCaptured.create({ orderId: 'o-1', paymentId: 'payment-o-1', amountCents: 2100 });
 */
export const PaymentCaptured = defineEvent(
  'PaymentCaptured',
  z.object({ orderId, paymentId, amountCents: z.number().int() }),
);

/**
 * The authorization was released without taking money.
 *
 * @example
 * PaymentVoided.create({ orderId: 'o-1', paymentId: 'payment-o-1', reason: 'out of stock' });
 */
export const PaymentVoided = defineEvent(
  'PaymentVoided',
  z.object({ orderId, paymentId, reason: z.string() }),
);

/**
 * Part or all of the captured amount went back to the customer.
 *
 * @example
 * PaymentRefunded.create({ orderId: 'o-1', paymentId: 'payment-o-1', amountCents: 450, reason: 'damaged' });
 */
export const PaymentRefunded = defineEvent(
  'PaymentRefunded',
  z.object({ orderId, paymentId, amountCents: z.number().int(), reason: z.string() }),
);

/** Every payment event, for the event registry. */
export const paymentEvents = [
  PaymentAuthorized,
  PaymentDeclined,
  PaymentCaptured,
  PaymentVoided,
  PaymentRefunded,
];

export type PaymentEvent =
  | EventOf<typeof PaymentAuthorized>
  | EventOf<typeof PaymentDeclined>
  | EventOf<typeof PaymentCaptured>
  | EventOf<typeof PaymentVoided>
  | EventOf<typeof PaymentRefunded>;
