import { defineQuery } from '@duet/core';
import { z } from 'zod';

/** Pages are at most this long. */
export const MAX_HISTORY_PAGE = 100;

const status = z.enum(['placed', 'confirmed', 'cancelled', 'shipped']);
const paymentState = z.enum(['authorized', 'declined', 'captured', 'voided', 'refunded']);

/** One order as the history shows it: names from customers and catalog, payment from payments. */
export const HistoryOrder = z.object({
  orderId: z.string(),
  customerId: z.string(),
  /** Null until the customers service's registration has been consumed. */
  customerName: z.string().nullable(),
  shippingAddress: z.record(z.string(), z.unknown()).nullable(),
  status,
  totalCents: z.number().int(),
  paymentState: paymentState.nullable(),
  placedAt: z.string(),
  updatedAt: z.string(),
  lines: z.array(
    z.object({
      sku: z.string(),
      /** Null until the catalog's ProductAdded has been consumed. */
      productName: z.string().nullable(),
      quantity: z.number().int(),
      /** The price the order was placed at, whatever the product costs now. */
      unitPriceCents: z.number().int(),
    }),
  ),
});

const filters = {
  status: status.optional(),
  /** Orders with a line of this product. */
  sku: z.string().min(1).max(64).optional(),
  /** Words that must all start a word of the item names (e.g. `gre tea`). */
  text: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).default(20),
  /** The `next` cursor of the previous page, as given. */
  after: z.string().max(300).optional(),
};

const page = z.object({ orders: z.array(HistoryOrder), next: z.string().nullable() });

export const OrderHistory = defineQuery('OrderHistory', {
  description:
    "A customer's orders, newest first, a page at a time: the signed-in customer's own, or any customer's for staff.",
  params: z.strictObject({
    /** Default: the signed-in customer. Only staff may name another customer. */
    customerId: z.string().min(1).max(64).optional(),
    ...filters,
  }),
  result: page,
  projections: ['order_history'],
});

export const SearchOrders = defineQuery('SearchOrders', {
  description: 'Staff: every customer’s orders, newest first, filtered and a page at a time.',
  params: z.strictObject({ customerId: z.string().min(1).max(64).optional(), ...filters }),
  result: page,
  projections: ['order_history'],
});

export const orderHistoryQueries = [OrderHistory, SearchOrders];
