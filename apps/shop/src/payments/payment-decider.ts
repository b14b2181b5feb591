import { type Decider, type DecisionContext, DomainError, NotFoundError } from '@duet/core';
import type { PaymentCommand } from './payment-commands.ts';
import type { PaymentEvent } from './payment-events.ts';

/** `refunded`: some or all of the captured amount went back (`refundedCents` says how much). */
export type PaymentStatus = 'none' | 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';

export interface PaymentState {
  readonly status: PaymentStatus;
  readonly customerId: string | null;
  /** What was asked for (authorized or declined). */
  readonly amountCents: number;
  /** The gateway's code, quoted back on capture, void and refund. */
  readonly authorizationCode: string | null;
  readonly capturedCents: number;
  readonly refundedCents: number;
}

/** The payments service itself, and the saga's requests it acts on: every command. */
export const SYSTEM_ROLE = 'system';
/** Staff void and refund (over HTTP, later); they never authorize or capture. */
export const STAFF_ROLE = 'staff';

/**
 * The context the wiring passes when it acts on the orders service's requests.
 *
 * @example
 * await bus.send(command, paymentsSystemContext);
 */
export const paymentsSystemContext: DecisionContext = { actor: 'payments', roles: [SYSTEM_ROLE] };

/**
 * A payment's id and the name of its stream: one payment per order, so the id follows
 * from the order's and a retried request finds the same payment.
 *
 * @example
 * paymentIdOf('o-1'); // 'payment-o-1'
 */
export function paymentIdOf(orderId: string): string {
  return `payment-${orderId}`;
}

function refuse(rule: string, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(rule, message, details);
}

function refuseStatus(state: PaymentState, action: string): never {
  refuse('PAYMENT_STATUS', `cannot ${action} a payment that is ${state.status}`);
}

/**
 * Who may send a payment command: the system everything, staff void and refund. Anyone
 * else learns nothing, with the same NotFoundError as for a payment that does not exist
 * (policies at the bus may answer 403 first; this holds when they are not wired).
 *
 * @example
 * requirePaymentAccess(command, { actor: 'sam', roles: ['staff'] }); // 'staff', or throws
 */
export function requirePaymentAccess(
  command: PaymentCommand,
  context: DecisionContext,
): 'system' | 'staff' {
  if (context.roles.includes(SYSTEM_ROLE)) return 'system';
  const staffMay = command.type === 'VoidPayment' || command.type === 'RefundPayment';
  if (staffMay && context.roles.includes(STAFF_ROLE)) return 'staff';
  throw new NotFoundError('payment', command.data.orderId);
}

function decideAuthorization(
  command: Extract<PaymentCommand, { type: 'AuthorizePayment' }>,
  state: PaymentState,
): PaymentEvent[] {
  const { orderId, customerId, amountCents, gatewayResult } = command.data;
  if (state.status !== 'none') {
    // A retried request: the first answer stands. A different amount is a bug upstream,
    // and silently keeping the old one would hide it.
    if (state.amountCents === amountCents && state.customerId === customerId) return [];
    refuse('AUTHORIZATION_MISMATCH', `order ${orderId} was already authorized for another amount`, {
      authorizedCents: state.amountCents,
      requestedCents: amountCents,
    });
  }
  if (gatewayResult === undefined) {
    refuse('GATEWAY_RESULT_REQUIRED', 'authorize through authorizeWithGateway');
  }
  const paymentId = paymentIdOf(orderId);
  if (gatewayResult.status === 'declined') {
    const data = { orderId, paymentId, customerId, amountCents, reason: gatewayResult.reason };
    return [{ type: 'PaymentDeclined', data }];
  }
  const { authorizationCode } = gatewayResult;
  return [
    {
      type: 'PaymentAuthorized',
      data: { orderId, paymentId, customerId, amountCents, authorizationCode },
    },
  ];
}

function decide(
  command: PaymentCommand,
  state: PaymentState,
  context: DecisionContext,
): PaymentEvent[] {
  const role = requirePaymentAccess(command, context);
  if (command.type === 'AuthorizePayment') return decideAuthorization(command, state);
  const { orderId } = command.data;
  const paymentId = paymentIdOf(orderId);
  // The saga may void before it ever asked for an authorization (stock refused first):
  // for it a missing payment is already void. Anyone else asks about an unknown id.
  if (state.status === 'none' && !(command.type === 'VoidPayment' && role === 'system')) {
    throw new NotFoundError('payment', orderId);
  }
  switch (command.type) {
    case 'CapturePayment':
      if (state.status === 'captured' || state.status === 'refunded') return [];
      if (state.status !== 'authorized') refuseStatus(state, 'capture');
      return [
        { type: 'PaymentCaptured', data: { orderId, paymentId, amountCents: state.amountCents } },
      ];
    case 'VoidPayment':
      if (state.status === 'none' || state.status === 'declined' || state.status === 'voided') {
        return [];
      }
      if (state.status !== 'authorized') refuseStatus(state, 'void (refund it instead)');
      return [{ type: 'PaymentVoided', data: { orderId, paymentId, reason: command.data.reason } }];
    case 'RefundPayment': {
      if (state.status !== 'captured' && state.status !== 'refunded') {
        refuseStatus(state, 'refund');
      }
      const remaining = state.capturedCents - state.refundedCents;
      const requested = command.data.amountCents;
      // "Refund the rest" asked again after everything went back: a retry, not an error.
      if (requested === undefined && remaining === 0) return [];
      const amountCents = requested ?? remaining;
      if (amountCents > remaining) {
        refuse('REFUND_EXCEEDS_CAPTURE', `only ${remaining} cents can still be refunded`, {
          remainingCents: remaining,
          requestedCents: amountCents,
        });
      }
      return [
        {
          type: 'PaymentRefunded',
          data: { orderId, paymentId, amountCents, reason: command.data.reason },
        },
      ];
    }
  }
}

function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case 'PaymentAuthorized':
      return {
        ...state,
        status: 'authorized',
        customerId: event.data.customerId,
        amountCents: event.data.amountCents,
        authorizationCode: event.data.authorizationCode,
      };
    case 'PaymentDeclined':
      return {
        ...state,
        status: 'declined',
        customerId: event.data.customerId,
        amountCents: event.data.amountCents,
      };
    case 'PaymentCaptured':
      return { ...state, status: 'captured', capturedCents: event.data.amountCents };
    case 'PaymentVoided':
      return { ...state, status: 'voided' };
    case 'PaymentRefunded':
      return {
        ...state,
        status: 'refunded',
        refundedCents: state.refundedCents + event.data.amountCents,
      };
  }
}

/**
 * One order's payment (stream `payment-<orderId>`): none → authorized | declined,
 * authorized → captured → refunded (in parts, up to what was captured), authorized →
 * voided. Pure: the gateway's answer comes in the command. Every request a retry could
 * repeat produces no second event. Run it through `decideWithGateway`, not a plain
 * command handler: on its own it would record a capture, void or refund the bank never
 * made.
 *
 * @example
 * const events = paymentDecider.decide(CapturePayment.create({ orderId: 'o-1' }), state,
 *   paymentsSystemContext);
 */
export const paymentDecider: Decider<PaymentCommand, PaymentState, PaymentEvent> = {
  initialState: () => ({
    status: 'none',
    customerId: null,
    amountCents: 0,
    authorizationCode: null,
    capturedCents: 0,
    refundedCents: 0,
  }),
  evolve,
  decide,
};
