import { defineQueryHandler, NotFoundError, type QueryPolicy } from '@duet/core';
import type { ReadModel } from '@duet/postgres';
import { STAFF_ROLE } from './payment-decider.ts';
import { GetPayment } from './payment-queries.ts';

/** Resolves a projection's active tables at query time (blue-green may have switched). */
export type ReadModels = (name: string) => Promise<ReadModel>;

interface PaymentRow {
  order_id: string;
  payment_id: string;
  customer_id: string;
  status: 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';
  amount_cents: string | number;
  captured_cents: string | number;
  refunded_cents: string | number;
  reason: string | null;
  version: number;
  updated_at: Date | string;
}

/**
 * Payments are for staff only: others get 403 before anything is read.
 *
 * @example
 * createQueryBus({ handlers, policies: paymentQueryPolicies });
 */
export const paymentQueryPolicies: Record<string, QueryPolicy> = {
  GetPayment: (_, context) =>
    context.roles?.includes(STAFF_ROLE) === true || 'only staff see payments',
};

/**
 * The payments service's query handlers, on the `payments_by_order` read model.
 *
 * @example
 * createQueryBus({ handlers: paymentQueryHandlers((name) => processors.readModel(name)) });
 */
export function paymentQueryHandlers(readModels: ReadModels) {
  const getPayment = defineQueryHandler(GetPayment, async (params) => {
    const { tables, executor } = await readModels('payments_by_order');
    const { rows } = await executor.query<PaymentRow>(
      `SELECT * FROM ${tables.name('payments')} WHERE order_id = $1`,
      [params.orderId],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('payment', params.orderId);
    return {
      orderId: row.order_id,
      paymentId: row.payment_id,
      customerId: row.customer_id,
      status: row.status,
      amountCents: Number(row.amount_cents),
      capturedCents: Number(row.captured_cents),
      refundedCents: Number(row.refunded_cents),
      reason: row.reason,
      version: Number(row.version),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  });
  return [getPayment];
}
