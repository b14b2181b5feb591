import type { CommandOf, DecisionContext } from '@duet/core';
import type { AuthorizePayment } from './payment-commands.ts';
import {
  type PaymentState,
  paymentDecider,
  paymentsSystemContext,
  requirePaymentAccess,
} from './payment-decider.ts';
import type { PaymentEvent } from './payment-events.ts';
import type { PaymentGateway } from './payment-gateway.ts';

/**
 * Authorizes a payment: asks the gateway only when the payment has no answer yet, then
 * lets the pure decider record the answer (PaymentAuthorized or PaymentDeclined). A
 * retried request for a payment already answered returns no events and calls nobody.
 *
 * The gateway is called with the order id as idempotency key: if the events are lost
 * after the call (a crash, a lost append race), the retry asks again with the same key
 * and the gateway answers as before instead of charging twice (`createSimulatedGateway`
 * honours this: same key, same result). Append the events expecting the version the
 * state was folded at; on a conflict run this again on fresh state.
 *
 * @example
 * const command = AuthorizePayment.create({ orderId: 'o-1', customerId: 'ada', amountCents: 2100 });
 * const events = await authorizeWithGateway(command, state, gateway);
 */
export async function authorizeWithGateway(
  command: CommandOf<typeof AuthorizePayment>,
  state: PaymentState,
  gateway: PaymentGateway,
  context: DecisionContext = paymentsSystemContext,
): Promise<PaymentEvent[]> {
  let asked = command;
  if (state.status === 'none' && command.data.gatewayResult === undefined) {
    // A caller who may not authorize is refused before the bank is called.
    requirePaymentAccess(command, context);
    const { orderId, amountCents } = command.data;
    const gatewayResult = await gateway.authorize({
      orderId,
      amountCents,
      idempotencyKey: orderId,
    });
    asked = { ...command, data: { ...command.data, gatewayResult } };
  }
  return [paymentDecider.decide(asked, state, context)].flat();
}
