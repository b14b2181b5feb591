import { type CommandOf, defineCommand } from '@duet/core';
import { z } from 'zod';

const orderId = z.string().min(1).max(64);
const reason = z.string().min(1).max(500);
// Whole cents, bounded so sums stay safe integers. An order may total 0 (the orders
// service allows free items), so an authorization may be for 0; a refund is never empty.
const amountCents = z.number().int().min(0).max(100_000_000_000);

/**
 * What the gateway answered to an authorization: the decider records it, it never asks.
 *
 * @example
 * authorizationResult.parse({ status: 'approved', authorizationCode: 'SIM-1A2B3C' });
 */
export const authorizationResult = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('approved'), authorizationCode: z.string().min(1).max(100) }),
  z.strictObject({ status: z.literal('declined'), reason }),
]);

/**
 * Authorize the order's amount. Sent without `gatewayResult`, it is a request that
 * `authorizeWithGateway` completes; the decider records only an answer that came with it.
 *
 * @example
 * AuthorizePayment.create({ orderId: 'o-1', customerId: 'ada', amountCents: 2100 });
 */
export const AuthorizePayment = defineCommand(
  'AuthorizePayment',
  z.strictObject({
    orderId,
    customerId: z.string().min(1).max(64),
    amountCents,
    gatewayResult: authorizationResult.optional(),
  }),
  { description: "Authorize an order's amount against the payment gateway." },
);

/**
 * Capture the whole authorized amount. A second capture changes nothing.
 *
 * @example
 * CapturePayment.create({ orderId: 'o-1' });
 */
export const CapturePayment = defineCommand('CapturePayment', z.strictObject({ orderId }), {
  description: 'Take the authorized amount.',
});

/**
 * Release an authorization that was not captured. Voiding a payment that was voided,
 * declined or (for the system) never authorized changes nothing.
 *
 * @example
 * VoidPayment.create({ orderId: 'o-1', reason: 'out of stock' });
 */
export const VoidPayment = defineCommand('VoidPayment', z.strictObject({ orderId, reason }), {
  description: 'Release an authorization that was not captured.',
});

/**
 * Give back captured money: `amountCents`, or without it all that is not yet refunded
 * (so a retried full refund changes nothing).
 *
 * @example
 * RefundPayment.create({ orderId: 'o-1', reason: 'damaged', amountCents: 450 });
 */
export const RefundPayment = defineCommand(
  'RefundPayment',
  z.strictObject({ orderId, reason, amountCents: amountCents.min(1).optional() }),
  { description: 'Give back captured money, all of it or a part.' },
);

/** Every payment command, for the command handler and the HTTP edge. */
export const paymentCommands = [AuthorizePayment, CapturePayment, VoidPayment, RefundPayment];

export type AuthorizationResult = z.infer<typeof authorizationResult>;

export type PaymentCommand =
  | CommandOf<typeof AuthorizePayment>
  | CommandOf<typeof CapturePayment>
  | CommandOf<typeof VoidPayment>
  | CommandOf<typeof RefundPayment>;
