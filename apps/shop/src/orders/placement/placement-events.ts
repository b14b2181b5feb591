import { defineEvent, type EventOf } from '@duet/core';
import { z } from 'zod';

// The saga's own facts, on `placement-<orderId>`. Every type starts with `Placement` so it
// never shares a name with the answers the other services record under theirs
// (`CreditReserved`, `PaymentAuthorized`): one glance at a type says whose fact it is.
// The requests it makes are in placement-request-events.ts.

const orderId = z.string().min(1).max(64);
/** When the saga decided it: the `at` of the command (the wiring's clock), ISO 8601. */
const at = z.iso.datetime();

/** One order line as the order was placed: the price is the one the customer pays. */
export const placementLine = z.object({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().min(1),
  unitPriceCents: z.number().int().min(0),
});

/** The durable timers the saga sets. Cart expiry is not the saga's (see cart-expiry.ts). */
export const placementTimerKind = z.enum(['payment-timeout']);
export type PlacementTimerKind = z.infer<typeof placementTimerKind>;

/**
 * Why a placement was cancelled, as a stable code: the load generator counts outcomes by
 * it, and the order history can filter on it, whatever the reason's wording.
 */
export const cancellationCode = z.enum([
  'STOCK_REFUSED',
  'CREDIT_REFUSED',
  'PAYMENT_DECLINED',
  'PAYMENT_TIMED_OUT',
  'ORDER_CANCELLED',
]);
export type CancellationCode = z.infer<typeof cancellationCode>;

/**
 * The orders service placed the order: the saga owns it from here.
 *
 * @example
 * PlacementStarted.create({ orderId: 'o-1', customerId: 'ada', lines, totalCents: 900, at });
 */
export const PlacementStarted = defineEvent(
  'PlacementStarted',
  z.object({
    orderId,
    customerId: z.string().min(1),
    lines: z.array(placementLine).min(1),
    totalCents: z.number().int().min(0),
    at,
  }),
);
/** @example PlacementStockReserved.create({ orderId: 'o-1', at }); */
export const PlacementStockReserved = defineEvent(
  'PlacementStockReserved',
  z.object({ orderId, at }),
);
/** @example PlacementStockRefused.create({ orderId: 'o-1', sku: 'tea', reason: 'OUT_OF_STOCK', at }); */
export const PlacementStockRefused = defineEvent(
  'PlacementStockRefused',
  z.object({ orderId, sku: z.string(), reason: z.string(), at }),
);
/** @example PlacementCreditReserved.create({ orderId: 'o-1', amountCents: 900, at }); */
export const PlacementCreditReserved = defineEvent(
  'PlacementCreditReserved',
  z.object({ orderId, amountCents: z.number().int().min(0), at }),
);
/** @example PlacementCreditRefused.create({ orderId: 'o-1', reason: 'CREDIT_LIMIT_EXCEEDED', at }); */
export const PlacementCreditRefused = defineEvent(
  'PlacementCreditRefused',
  z.object({ orderId, reason: z.string(), at }),
);
/** @example PlacementPaymentAuthorized.create({ orderId: 'o-1', paymentId: 'payment-o-1', amountCents: 900, at }); */
export const PlacementPaymentAuthorized = defineEvent(
  'PlacementPaymentAuthorized',
  z.object({ orderId, paymentId: z.string(), amountCents: z.number().int().min(0), at }),
);
/** @example PlacementPaymentDeclined.create({ orderId: 'o-1', reason: 'insufficient funds', at }); */
export const PlacementPaymentDeclined = defineEvent(
  'PlacementPaymentDeclined',
  z.object({ orderId, reason: z.string(), at }),
);
/**
 * A durable timer to keep: the wiring upserts it into its timer table and sends
 * `FirePlacementTimer` once `dueAt` has passed (README.md).
 *
 * @example
 * PlacementTimerScheduled.create({ orderId: 'o-1', kind: 'payment-timeout', dueAt, at });
 */
export const PlacementTimerScheduled = defineEvent(
  'PlacementTimerScheduled',
  z.object({ orderId, kind: placementTimerKind, dueAt: z.iso.datetime(), at }),
);
/** A timer fired while it still mattered. @example PlacementTimerFired.create({ orderId: 'o-1', kind: 'payment-timeout', at }); */
export const PlacementTimerFired = defineEvent(
  'PlacementTimerFired',
  z.object({ orderId, kind: placementTimerKind, at }),
);
/** Stock, credit and payment are held: confirm the order. @example PlacementConfirmed.create({ orderId: 'o-1', at }); */
export const PlacementConfirmed = defineEvent('PlacementConfirmed', z.object({ orderId, at }));
/**
 * Something said no: the release requests that follow undo what was held.
 *
 * @example
 * PlacementCompensationStarted.create({ orderId: 'o-1', code: 'STOCK_REFUSED', reason: 'out of stock: tea', at });
 */
export const PlacementCompensationStarted = defineEvent(
  'PlacementCompensationStarted',
  z.object({ orderId, code: cancellationCode, reason: z.string().min(1), at }),
);
/**
 * The placement failed for good. Releases are requested, not awaited: the relay delivers
 * them and the services release idempotently, so nothing is left to wait for.
 *
 * @example
 * PlacementCancelled.create({ orderId: 'o-1', code: 'STOCK_REFUSED', reason: 'out of stock: tea', at });
 */
export const PlacementCancelled = defineEvent(
  'PlacementCancelled',
  z.object({ orderId, code: cancellationCode, reason: z.string().min(1), at }),
);

/** The order shipped: its holds became the sale. @example PlacementShipped.create({ orderId: 'o-1', at }); */
export const PlacementShipped = defineEvent('PlacementShipped', z.object({ orderId, at }));

/** The saga's facts, for the orders service's event registry (with the requests). */
export const placementFactEvents = [
  PlacementStarted,
  PlacementStockReserved,
  PlacementStockRefused,
  PlacementCreditReserved,
  PlacementCreditRefused,
  PlacementPaymentAuthorized,
  PlacementPaymentDeclined,
  PlacementTimerScheduled,
  PlacementTimerFired,
  PlacementConfirmed,
  PlacementCompensationStarted,
  PlacementCancelled,
  PlacementShipped,
];

export type PlacementFactEvent =
  | EventOf<typeof PlacementStarted>
  | EventOf<typeof PlacementStockReserved>
  | EventOf<typeof PlacementStockRefused>
  | EventOf<typeof PlacementCreditReserved>
  | EventOf<typeof PlacementCreditRefused>
  | EventOf<typeof PlacementPaymentAuthorized>
  | EventOf<typeof PlacementPaymentDeclined>
  | EventOf<typeof PlacementTimerScheduled>
  | EventOf<typeof PlacementTimerFired>
  | EventOf<typeof PlacementConfirmed>
  | EventOf<typeof PlacementCompensationStarted>
  | EventOf<typeof PlacementCancelled>
  | EventOf<typeof PlacementShipped>;
