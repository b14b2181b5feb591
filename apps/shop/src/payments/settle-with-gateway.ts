import { type CommandOf, type DecisionContext, DomainError } from '@duet/core';
import type { CapturePayment, RefundPayment, VoidPayment } from './payment-commands.ts';
import { type PaymentState, paymentDecider, paymentsSystemContext } from './payment-decider.ts';
import type { PaymentEvent } from './payment-events.ts';
import type { PaymentGateway, SettlementResult } from './payment-gateway.ts';

/** The commands that act on an authorization the gateway already gave. */
export type SettlementCommand =
  | CommandOf<typeof CapturePayment>
  | CommandOf<typeof VoidPayment>
  | CommandOf<typeof RefundPayment>;

/**
 * Captures, voids or refunds: the pure decider says what should happen, the gateway is
 * asked only when that is an event, and the events are returned once it approved. A
 * request that changes nothing (a second capture, a void of a void) calls nobody.
 *
 * Idempotency keys: `<orderId>:capture`, `<orderId>:void`, and for refunds
 * `<orderId>:refund:<cents refunded before>`, so a retry after a lost append repeats the
 * same key while a later partial refund gets a new one. A decline throws a DomainError
 * (`GATEWAY_DECLINED`): the request is retried, or dead-lettered, by its consumer.
 *
 * @example
 * const events = await settleWithGateway(CapturePayment.create({ orderId: 'o-1' }), state, gateway);
 */
export async function settleWithGateway(
  command: SettlementCommand,
  state: PaymentState,
  gateway: PaymentGateway,
  context: DecisionContext = paymentsSystemContext,
): Promise<PaymentEvent[]> {
  const events = [paymentDecider.decide(command, state, context)].flat();
  const [event] = events;
  if (event === undefined) return events;
  const { authorizationCode } = state;
  // Only an authorized payment decides a capture, void or refund, and it has a code.
  if (authorizationCode === null)
    throw new Error(`payment of ${command.data.orderId} has no authorization code`);
  const { orderId } = command.data;
  let result: SettlementResult;
  switch (event.type) {
    case 'PaymentCaptured':
      result = await gateway.capture({
        orderId,
        authorizationCode,
        amountCents: event.data.amountCents,
        idempotencyKey: `${orderId}:capture`,
      });
      break;
    case 'PaymentVoided':
      result = await gateway.void({
        orderId,
        authorizationCode,
        idempotencyKey: `${orderId}:void`,
      });
      break;
    case 'PaymentRefunded':
      result = await gateway.refund({
        orderId,
        authorizationCode,
        amountCents: event.data.amountCents,
        idempotencyKey: `${orderId}:refund:${state.refundedCents}`,
      });
      break;
    default:
      return events;
  }
  if (result.status === 'declined') {
    throw new DomainError('GATEWAY_DECLINED', `the gateway declined: ${result.reason}`, {
      orderId,
      command: command.type,
    });
  }
  return events;
}
