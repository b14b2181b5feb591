import { defineEvent, type EventOf } from '@duet/core';
import { z } from 'zod';

// The events of one order's reservation stream, `stock_reservation-<orderId>`: the
// order-level record the placement saga's answers come from. Product streams hold one
// event per SKU; the saga wants one answer per order, and these are those answers.
// Named apart from the product events (`StockReserved` there is one SKU's share).

const orderId = z.string();
const lines = z.array(z.object({ sku: z.string(), quantity: z.number().int().min(1) }));

/** Why a reservation was refused: a stable code the saga may branch on. */
export const refusalReasonSchema = z.enum([
  'OUT_OF_STOCK',
  'UNKNOWN_PRODUCT',
  'PRODUCT_DISCONTINUED',
]);

export const StockReservationMade = defineEvent(
  'StockReservationMade',
  z.object({ orderId, lines }),
);
export const StockReservationRefused = defineEvent(
  'StockReservationRefused',
  z.object({ orderId, sku: z.string(), reason: refusalReasonSchema, message: z.string() }),
);
export const StockReservationReleased = defineEvent(
  'StockReservationReleased',
  // `lines` is empty when nothing was held (a release before, or instead of, a reservation).
  z.object({ orderId, lines, reason: z.string() }),
);
export const StockReservationShipped = defineEvent(
  'StockReservationShipped',
  z.object({ orderId, lines }),
);

export const stockReservationEvents = [
  StockReservationMade,
  StockReservationRefused,
  StockReservationReleased,
  StockReservationShipped,
];

export type StockReservationEvent =
  | EventOf<typeof StockReservationMade>
  | EventOf<typeof StockReservationRefused>
  | EventOf<typeof StockReservationReleased>
  | EventOf<typeof StockReservationShipped>;

/** A SKU and a number of units of it. */
export type StockLine = { readonly sku: string; readonly quantity: number };

/** Why a reservation was refused. */
export type RefusalReason = z.infer<typeof refusalReasonSchema>;
