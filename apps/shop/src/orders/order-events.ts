import { defineEvent, type EventOf } from '@duet/core';
import { z } from 'zod';

export const ItemAdded = defineEvent(
  'ItemAdded',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    sku: z.string(),
    quantity: z.number().int(),
    unitPriceCents: z.number().int(),
  }),
);
export const ItemRemoved = defineEvent(
  'ItemRemoved',
  z.object({
    orderId: z.string(),
    sku: z.string(),
    quantity: z.number().int(),
    // The line's price, so read models can keep totals without remembering every line.
    unitPriceCents: z.number().int(),
  }),
);
export const OrderPlaced = defineEvent(
  'OrderPlaced',
  z.object({
    orderId: z.string(),
    customerId: z.string(),
    lines: z.array(
      z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() }),
    ),
    totalCents: z.number().int(),
  }),
);
export const OrderConfirmed = defineEvent('OrderConfirmed', z.object({ orderId: z.string() }));
export const OrderCancelled = defineEvent(
  'OrderCancelled',
  z.object({ orderId: z.string(), reason: z.string() }),
);
export const OrderShipped = defineEvent(
  'OrderShipped',
  z.object({ orderId: z.string(), trackingNumber: z.string() }),
);

export const orderEvents = [
  ItemAdded,
  ItemRemoved,
  OrderPlaced,
  OrderConfirmed,
  OrderCancelled,
  OrderShipped,
];

export type OrderEvent =
  | EventOf<typeof ItemAdded>
  | EventOf<typeof ItemRemoved>
  | EventOf<typeof OrderPlaced>
  | EventOf<typeof OrderConfirmed>
  | EventOf<typeof OrderCancelled>
  | EventOf<typeof OrderShipped>;
