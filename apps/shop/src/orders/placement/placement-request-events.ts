import { defineEvent, type EventOf } from '@duet/core';
import { z } from 'zod';
import { placementLine } from './placement-events.ts';

// The saga's requests. Each type is exactly the `from` of its contract in
// order-placement-contracts.ts, and its data a superset of the contract's, so the orders
// relay publishes these events as they are: the saga's events ARE the requests, with no
// second copy to keep in step. `at` is the saga's own; the contract's schema drops it.

const orderId = z.string().min(1).max(64);
const customerId = z.string().min(1);
const reason = z.string().min(1);
const at = z.iso.datetime();

/** @example StockReservationRequested.create({ orderId: 'o-1', lines, at }); */
export const StockReservationRequested = defineEvent(
  'StockReservationRequested',
  z.object({ orderId, lines: z.array(placementLine).min(1), at }),
);
/** @example StockReleaseRequested.create({ orderId: 'o-1', reason: 'payment declined', at }); */
export const StockReleaseRequested = defineEvent(
  'StockReleaseRequested',
  z.object({ orderId, reason, at }),
);
/** @example CreditReservationRequested.create({ orderId: 'o-1', customerId: 'ada', amountCents: 900, at }); */
export const CreditReservationRequested = defineEvent(
  'CreditReservationRequested',
  z.object({ orderId, customerId, amountCents: z.number().int().min(0), at }),
);
/** @example CreditReleaseRequested.create({ orderId: 'o-1', customerId: 'ada', reason: 'out of stock: tea', at }); */
export const CreditReleaseRequested = defineEvent(
  'CreditReleaseRequested',
  z.object({ orderId, customerId, reason, at }),
);
/** @example PaymentAuthorizationRequested.create({ orderId: 'o-1', customerId: 'ada', amountCents: 900, at }); */
export const PaymentAuthorizationRequested = defineEvent(
  'PaymentAuthorizationRequested',
  z.object({ orderId, customerId, amountCents: z.number().int().min(0), at }),
);
/** @example PaymentVoidRequested.create({ orderId: 'o-1', reason: 'payment timed out', at }); */
export const PaymentVoidRequested = defineEvent(
  'PaymentVoidRequested',
  z.object({ orderId, reason, at }),
);

/** @example StockShipmentRequested.create({ orderId: 'o-1', at }); */
export const StockShipmentRequested = defineEvent(
  'StockShipmentRequested',
  z.object({ orderId, at }),
);
/** @example PaymentCaptureRequested.create({ orderId: 'o-1', at }); */
export const PaymentCaptureRequested = defineEvent(
  'PaymentCaptureRequested',
  z.object({ orderId, at }),
);

/** The saga's requests, for the orders service's event registry (with the facts). */
export const placementRequestEvents = [
  StockReservationRequested,
  StockReleaseRequested,
  CreditReservationRequested,
  CreditReleaseRequested,
  PaymentAuthorizationRequested,
  PaymentVoidRequested,
  StockShipmentRequested,
  PaymentCaptureRequested,
];

export type PlacementRequestEvent =
  | EventOf<typeof StockReservationRequested>
  | EventOf<typeof StockReleaseRequested>
  | EventOf<typeof CreditReservationRequested>
  | EventOf<typeof CreditReleaseRequested>
  | EventOf<typeof PaymentAuthorizationRequested>
  | EventOf<typeof PaymentVoidRequested>
  | EventOf<typeof StockShipmentRequested>
  | EventOf<typeof PaymentCaptureRequested>;
