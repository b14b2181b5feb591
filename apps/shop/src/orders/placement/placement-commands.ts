import { type CommandOf, defineCommand } from '@duet/core';
import { z } from 'zod';
import { placementLine, placementTimerKind } from './placement-events.ts';

// The saga's inputs: one command per message it reacts to (placement-command-from.ts
// builds them). Every command carries `at`, the wiring's clock when it handled the
// message, so `decide` computes deadlines without reading a clock.

const orderId = z.string().min(1).max(64);
const at = z.iso.datetime();
const text = z.string().max(1_000);

/** @example StartPlacement.create({ orderId: 'o-1', customerId: 'ada', lines, totalCents: 900, at }); */
export const StartPlacement = defineCommand(
  'StartPlacement',
  z.strictObject({
    orderId,
    customerId: z.string().min(1),
    lines: z.array(placementLine).min(1),
    totalCents: z.number().int().min(0),
    at,
  }),
  { description: 'The orders service placed an order: reserve its stock and credit.' },
);
/** @example RecordStockReserved.create({ orderId: 'o-1', at }); */
export const RecordStockReserved = defineCommand(
  'RecordStockReserved',
  z.strictObject({ orderId, at }),
  { description: "The catalog holds the order's stock." },
);
/** @example RecordStockRefused.create({ orderId: 'o-1', sku: 'tea', reason: 'OUT_OF_STOCK', at }); */
export const RecordStockRefused = defineCommand(
  'RecordStockRefused',
  z.strictObject({ orderId, sku: text, reason: text, at }),
  { description: "The catalog could not hold the order's stock." },
);
/** @example RecordCreditReserved.create({ orderId: 'o-1', amountCents: 900, at }); */
export const RecordCreditReserved = defineCommand(
  'RecordCreditReserved',
  z.strictObject({ orderId, amountCents: z.number().int().min(0), at }),
  { description: "The customers service holds the order's amount of credit." },
);
/** @example RecordCreditRefused.create({ orderId: 'o-1', reason: 'CREDIT_LIMIT_EXCEEDED', at }); */
export const RecordCreditRefused = defineCommand(
  'RecordCreditRefused',
  z.strictObject({ orderId, reason: text, at }),
  { description: 'The customers service refused the credit.' },
);
/** @example RecordPaymentAuthorized.create({ orderId: 'o-1', paymentId: 'payment-o-1', amountCents: 900, at }); */
export const RecordPaymentAuthorized = defineCommand(
  'RecordPaymentAuthorized',
  z.strictObject({ orderId, paymentId: text, amountCents: z.number().int().min(0), at }),
  { description: "Payments authorized the order's amount." },
);
/** @example RecordPaymentDeclined.create({ orderId: 'o-1', reason: 'insufficient funds', at }); */
export const RecordPaymentDeclined = defineCommand(
  'RecordPaymentDeclined',
  z.strictObject({ orderId, reason: text, at }),
  { description: 'The payment gateway declined.' },
);
/** @example FirePlacementTimer.create({ orderId: 'o-1', kind: 'payment-timeout', at }); */
export const FirePlacementTimer = defineCommand(
  'FirePlacementTimer',
  z.strictObject({ orderId, kind: placementTimerKind, at }),
  { description: 'A timer the saga scheduled is due (sent by the timer poller).' },
);
/**
 * The order was cancelled outside the saga (the customer cancelled a placed order): stop
 * and give back what is held. The saga's own cancellation comes back here too, and
 * records nothing.
 *
 * @example
 * RecordOrderCancelled.create({ orderId: 'o-1', reason: 'changed my mind', at });
 */
export const RecordOrderCancelled = defineCommand(
  'RecordOrderCancelled',
  z.strictObject({ orderId, reason: text, at }),
  { description: 'The order was cancelled; stop placing it.' },
);

/**
 * The order was shipped: the saga turns its holds into the sale (stock leaves, payment is
 * captured, the credit hold ends). After anything but confirmation it records nothing.
 *
 * @example
 * RecordOrderShipped.create({ orderId: 'o-1', at });
 */
export const RecordOrderShipped = defineCommand(
  'RecordOrderShipped',
  z.strictObject({ orderId, at }),
  { description: 'The order was shipped; settle what the placement holds.' },
);

/** Every saga input, for the command handler. */
export const placementCommands = [
  StartPlacement,
  RecordStockReserved,
  RecordStockRefused,
  RecordCreditReserved,
  RecordCreditRefused,
  RecordPaymentAuthorized,
  RecordPaymentDeclined,
  FirePlacementTimer,
  RecordOrderCancelled,
  RecordOrderShipped,
];

export type PlacementCommand =
  | CommandOf<typeof StartPlacement>
  | CommandOf<typeof RecordStockReserved>
  | CommandOf<typeof RecordStockRefused>
  | CommandOf<typeof RecordCreditReserved>
  | CommandOf<typeof RecordCreditRefused>
  | CommandOf<typeof RecordPaymentAuthorized>
  | CommandOf<typeof RecordPaymentDeclined>
  | CommandOf<typeof FirePlacementTimer>
  | CommandOf<typeof RecordOrderCancelled>
  | CommandOf<typeof RecordOrderShipped>;
