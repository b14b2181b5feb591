import type { DecisionContext } from '@duet/core';
import { authorizeWithGateway } from './authorize-with-gateway.ts';
import type { PaymentCommand } from './payment-commands.ts';
import { type PaymentState, paymentsSystemContext } from './payment-decider.ts';
import type { PaymentEvent } from './payment-events.ts';
import type { PaymentGateway } from './payment-gateway.ts';
import { settleWithGateway } from './settle-with-gateway.ts';

/**
 * Any payment command with its gateway call: the one entry the wiring needs. Fold the
 * stream `payment-<orderId>` into `state`, call this, append the events expecting that
 * version, and on a conflict run it again on fresh state (the idempotency keys make the
 * repeated gateway call harmless).
 *
 * @example
 * const events = await decideWithGateway(command, state, gateway, paymentsSystemContext);
 */
export function decideWithGateway(
  command: PaymentCommand,
  state: PaymentState,
  gateway: PaymentGateway,
  context: DecisionContext = paymentsSystemContext,
): Promise<PaymentEvent[]> {
  return command.type === 'AuthorizePayment'
    ? authorizeWithGateway(command, state, gateway, context)
    : settleWithGateway(command, state, gateway, context);
}
