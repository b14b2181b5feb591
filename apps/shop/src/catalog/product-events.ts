import { defineEvent, type EventOf } from '@duet/core';
import { z } from 'zod';

// The events of one product stream, `product-<sku>`: the catalog entry and its stock.
// Stock events carry the order they are for, so the stream alone knows every open
// reservation and can release or ship it without asking anyone.

const sku = z.string();
const orderId = z.string();
const units = z.number().int().min(1);

export const ProductAdded = defineEvent(
  'ProductAdded',
  z.object({
    sku,
    name: z.string(),
    description: z.string().optional(),
    priceCents: z.number().int(),
  }),
);
export const ProductRenamed = defineEvent('ProductRenamed', z.object({ sku, name: z.string() }));
export const PriceChanged = defineEvent(
  'PriceChanged',
  // The old price too, so a price history needs no state of its own.
  z.object({ sku, priceCents: z.number().int(), previousPriceCents: z.number().int() }),
);
export const ProductDiscontinued = defineEvent('ProductDiscontinued', z.object({ sku }));
export const StockReceived = defineEvent('StockReceived', z.object({ sku, quantity: units }));
export const StockReserved = defineEvent(
  'StockReserved',
  z.object({ sku, orderId, quantity: units }),
);
export const StockReleased = defineEvent(
  'StockReleased',
  z.object({ sku, orderId, quantity: units }),
);
export const StockShipped = defineEvent(
  'StockShipped',
  z.object({ sku, orderId, quantity: units }),
);

export const productEvents = [
  ProductAdded,
  ProductRenamed,
  PriceChanged,
  ProductDiscontinued,
  StockReceived,
  StockReserved,
  StockReleased,
  StockShipped,
];

export type ProductEvent =
  | EventOf<typeof ProductAdded>
  | EventOf<typeof ProductRenamed>
  | EventOf<typeof PriceChanged>
  | EventOf<typeof ProductDiscontinued>
  | EventOf<typeof StockReceived>
  | EventOf<typeof StockReserved>
  | EventOf<typeof StockReleased>
  | EventOf<typeof StockShipped>;
