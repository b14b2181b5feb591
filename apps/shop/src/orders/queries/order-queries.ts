import { defineQuery } from '@duet/core';
import { z } from 'zod';

const status = z.enum(['cart', 'placed', 'confirmed', 'cancelled', 'shipped']);

export const OrderSummary = z.object({
  orderId: z.string(),
  status,
  itemCount: z.number().int(),
  totalCents: z.number().int(),
  updatedAt: z.string(),
});

/** Pages are at most this long: a bigger `limit` is clamped to it. */
export const MAX_PAGE_SIZE = 100;

export const MyOrders = defineQuery('MyOrders', {
  description: "The signed-in customer's orders, newest first, a page at a time.",
  params: z.strictObject({
    status: status.optional(),
    // The HTTP edge lowers a larger limit to the maximum instead of refusing it.
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .default(20)
      .describe('page size; a larger one is lowered to the maximum'),
    // In the description, because any other string is refused and the schema cannot say so.
    after: z
      .string()
      .max(200)
      .optional()
      .describe("the previous page's next, unchanged (any other text is refused)"),
  }),
  result: z.object({ orders: z.array(OrderSummary), next: z.string().nullable() }),
  projections: ['my_orders'],
});

export const OrderDetail = defineQuery('OrderDetail', {
  description: 'One order with its lines; customers see only their own orders.',
  params: z.strictObject({ orderId: z.string().min(1).max(64) }),
  result: z.object({
    orderId: z.string(),
    customerId: z.string(),
    status,
    lines: z.array(
      z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() }),
    ),
    totalCents: z.number().int(),
    trackingNumber: z.string().nullable(),
    cancelReason: z.string().nullable(),
    createdAt: z.string(),
    placedAt: z.string().nullable(),
    updatedAt: z.string(),
    version: z.number().int(),
  }),
  projections: ['order_detail'],
});

export const orderQueries = [MyOrders, OrderDetail];
