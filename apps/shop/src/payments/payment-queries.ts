import { defineQuery } from '@duet/core';
import { z } from 'zod';

/**
 * Staff: one order's payment (404 when the order has none yet).
 *
 * @example
 * await queries.ask('GetPayment', { orderId: 'o-1' }, { actor: 'sam', roles: ['staff'] });
 */
export const GetPayment = defineQuery('GetPayment', {
  description: "Staff: an order's payment, its amounts and status.",
  params: z.strictObject({ orderId: z.string().min(1).max(64) }),
  result: z.object({
    orderId: z.string(),
    paymentId: z.string(),
    customerId: z.string(),
    status: z.enum(['authorized', 'declined', 'captured', 'voided', 'refunded']),
    amountCents: z.number().int(),
    capturedCents: z.number().int(),
    refundedCents: z.number().int(),
    /** Why it was declined, voided or last refunded. */
    reason: z.string().nullable(),
    /** The payment stream's version: send it as If-Match with a void or refund. */
    version: z.number().int(),
    updatedAt: z.string(),
  }),
  projections: ['payments_by_order'],
});

export const paymentQueries = [GetPayment];
