import { type IntegrationDataOf, type IntegrationMessage, type Schema, validate } from '@duet/core';
import {
  PaymentAuthorizationRequestedV1,
  PaymentCaptureRequestedV1,
  PaymentRefundRequestedV1,
  PaymentVoidRequestedV1,
} from '../contracts/order-placement-contracts.ts';
import {
  AuthorizePayment,
  CapturePayment,
  type PaymentCommand,
  RefundPayment,
  VoidPayment,
} from './payment-commands.ts';

/**
 * The orders service's requests the payments service answers: pass them as the
 * integration consumer's `events` (with `ordersContracts` as its `contracts`).
 *
 * @example
 * createIntegrationConsumer({ ..., contracts: ordersContracts, events: paymentRequests });
 */
export const paymentRequests = [
  PaymentAuthorizationRequestedV1,
  PaymentCaptureRequestedV1,
  PaymentVoidRequestedV1,
  PaymentRefundRequestedV1,
];

// The orders contract allows any reason, the payment commands 1 to 500 characters: an
// empty one must not turn a compensation into a dead letter.
function reasonOf(reason: string): string {
  return reason.trim().slice(0, 500) || 'requested by the orders service';
}

/**
 * The command for one of the orders service's payment requests, or undefined for any
 * other message. Checks the data against the request's contract first (the consumer
 * has, but a replayed dead letter may come from anywhere); send the command with
 * `paymentsSystemContext`.
 *
 * @example
 * const command = await commandFromOrderRequest(message);
 * if (command?.type === 'AuthorizePayment') await authorizeWithGateway(command, state, gateway);
 */
export async function commandFromOrderRequest(
  message: IntegrationMessage,
): Promise<PaymentCommand | undefined> {
  if (message.service !== 'orders') return undefined;
  const subject = `message ${message.subject} ${message.id}`;
  const check = <Data>(schema: Schema<Data>) => validate(schema, message.data, subject);
  switch (message.type) {
    case PaymentAuthorizationRequestedV1.name:
      return authorizePaymentFrom(await check(PaymentAuthorizationRequestedV1.schema));
    case PaymentCaptureRequestedV1.name:
      return capturePaymentFrom(await check(PaymentCaptureRequestedV1.schema));
    case PaymentVoidRequestedV1.name:
      return voidPaymentFrom(await check(PaymentVoidRequestedV1.schema));
    case PaymentRefundRequestedV1.name:
      return refundPaymentFrom(await check(PaymentRefundRequestedV1.schema));
    default:
      return undefined;
  }
}

/**
 * @example
 * authorizePaymentFrom({ orderId: 'o-1', customerId: 'ada', amountCents: 2100 });
 */
export function authorizePaymentFrom(
  data: IntegrationDataOf<typeof PaymentAuthorizationRequestedV1>,
) {
  const { orderId, customerId, amountCents } = data;
  return AuthorizePayment.create({ orderId, customerId, amountCents });
}

/**
 * @example
 * capturePaymentFrom({ orderId: 'o-1' });
 */
export function capturePaymentFrom(data: IntegrationDataOf<typeof PaymentCaptureRequestedV1>) {
  return CapturePayment.create({ orderId: data.orderId });
}

/**
 * @example
 * voidPaymentFrom({ orderId: 'o-1', reason: 'out of stock' });
 */
export function voidPaymentFrom(data: IntegrationDataOf<typeof PaymentVoidRequestedV1>) {
  return VoidPayment.create({ orderId: data.orderId, reason: reasonOf(data.reason) });
}

/**
 * The whole captured amount that is not yet refunded: the request names no amount.
 *
 * @example
 * refundPaymentFrom({ orderId: 'o-1', reason: 'order cancelled' });
 */
export function refundPaymentFrom(data: IntegrationDataOf<typeof PaymentRefundRequestedV1>) {
  return RefundPayment.create({ orderId: data.orderId, reason: reasonOf(data.reason) });
}
