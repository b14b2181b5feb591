import {
  defineContracts,
  defineIntegrationEvent,
  type EventDefinition,
  type EventOf,
  type RecordedEvent,
} from '@duet/core';
import { z } from 'zod';
import {
  PaymentAuthorized,
  PaymentCaptured,
  PaymentDeclined,
  PaymentRefunded,
  PaymentVoided,
} from '../payments/payment-events.ts';

// What the payments service publishes (issue 11): its answers to the placement saga's
// requests (order-placement-contracts.ts), consumed by the saga and the order history.
// Each contract is built from one domain event and carries less than it: the gateway's
// authorization code and the customer stay inside payments.

const orderId = z.string().min(1).max(64);
const amountCents = z.number().int().min(0);

// The relay calls `map` only for the contract's `from` type, with data the store checked
// against that event's schema on append: the cast states that, it does not guess.
function dataOf<D extends EventDefinition>(_from: D, event: RecordedEvent): EventOf<D>['data'] {
  return event.data as EventOf<D>['data'];
}

/** The amount is held for the order: the saga may confirm. */
export const PaymentAuthorizedV1 = defineIntegrationEvent({
  service: 'payments',
  name: 'PaymentAuthorized',
  description: "The order's amount is authorized; capture or void it later.",
  schema: z.object({ orderId, paymentId: z.string().min(1), amountCents }),
  from: PaymentAuthorized,
  map: (event) => {
    const { orderId, paymentId, amountCents } = dataOf(PaymentAuthorized, event);
    return { orderId, paymentId, amountCents };
  },
});
/** The gateway refused: the saga compensates and cancels with the reason. */
export const PaymentDeclinedV1 = defineIntegrationEvent({
  service: 'payments',
  name: 'PaymentDeclined',
  description: "The gateway declined the order's amount.",
  schema: z.object({ orderId, reason: z.string() }),
  from: PaymentDeclined,
  map: (event) => {
    const { orderId, reason } = dataOf(PaymentDeclined, event);
    return { orderId, reason };
  },
});
/** The authorized amount was taken. */
export const PaymentCapturedV1 = defineIntegrationEvent({
  service: 'payments',
  name: 'PaymentCaptured',
  schema: z.object({ orderId, amountCents }),
  from: PaymentCaptured,
  map: (event) => {
    const { orderId, amountCents } = dataOf(PaymentCaptured, event);
    return { orderId, amountCents };
  },
});
/**
 * The authorization was released. A void of a payment that was never authorized, was
 * declined or was voided already publishes nothing: there was nothing to release.
 */
export const PaymentVoidedV1 = defineIntegrationEvent({
  service: 'payments',
  name: 'PaymentVoided',
  schema: z.object({ orderId }),
  from: PaymentVoided,
  map: (event) => ({ orderId: dataOf(PaymentVoided, event).orderId }),
});
/** Part or all of the captured amount went back; `amountCents` is this refund's part. */
export const PaymentRefundedV1 = defineIntegrationEvent({
  service: 'payments',
  name: 'PaymentRefunded',
  schema: z.object({ orderId, amountCents }),
  from: PaymentRefunded,
  map: (event) => {
    const { orderId, amountCents } = dataOf(PaymentRefunded, event);
    return { orderId, amountCents };
  },
});

/**
 * Everything the payments service publishes, for its relay and its consumers.
 *
 * @example
 * createRelay({ ..., contracts: paymentsContracts });
 */
export const paymentsContracts = defineContracts('payments', [
  PaymentAuthorizedV1,
  PaymentDeclinedV1,
  PaymentCapturedV1,
  PaymentVoidedV1,
  PaymentRefundedV1,
]);
