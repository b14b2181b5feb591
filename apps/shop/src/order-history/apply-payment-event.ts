import type { IntegrationMessage } from '@duet/core';
import type { SqlTransaction } from '@duet/postgres';
import type { HistoryTables } from './history-tables.ts';

/** The payment states the history shows, by the payments contract that sets them. */
export const paymentStates = {
  PaymentAuthorized: 'authorized',
  PaymentDeclined: 'declined',
  PaymentCaptured: 'captured',
  PaymentVoided: 'voided',
  PaymentRefunded: 'refunded',
} as const;

export type PaymentState = (typeof paymentStates)[keyof typeof paymentStates];

/**
 * Applies one payments message: the order's payment state. One payment per order, on one
 * stream (`payment-<orderId>`), so the inbox applies them in order and the last one is the
 * state. An upsert: the payment may be consumed before its OrderPlaced.
 */
export async function applyPaymentEvent(
  tx: SqlTransaction,
  t: HistoryTables,
  message: IntegrationMessage,
): Promise<void> {
  const state = paymentStates[message.type as keyof typeof paymentStates];
  if (state === undefined) return;
  const { orderId } = message.data as { orderId: string };
  await tx.query(
    `INSERT INTO ${t.orders} AS o (order_id, payment_state, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant, order_id) DO UPDATE SET payment_state = $2, updated_at = GREATEST(o.updated_at, $3)`,
    [orderId, state, message.occurredAt],
  );
}
