import { defineProjection, type RecordedEvent } from '@duet/core';
import { isolateTenantRows, TENANT_COLUMN } from '@duet/postgres';
import { type PaymentEvent, paymentEvents } from './payment-events.ts';

/**
 * `payments_by_order`: one row per order's payment, what staff look at before they void
 * or refund: status, amounts authorized, captured and refunded, and the last reason.
 *
 * @example
 * openProcessors({ store, processors: [paymentsByOrderProjection] });
 */
export const paymentsByOrderProjection = defineProjection<RecordedEvent<PaymentEvent>>({
  name: 'payments_by_order',
  // 2: rows keyed by tenant.
  version: 2,
  events: paymentEvents,
  async setup(tx, tables) {
    await tx.query(`
      CREATE TABLE ${tables.name('payments')} (
        ${TENANT_COLUMN},
        order_id text NOT NULL,
        payment_id text NOT NULL,
        customer_id text NOT NULL,
        status text NOT NULL,
        amount_cents bigint NOT NULL,
        captured_cents bigint NOT NULL DEFAULT 0,
        refunded_cents bigint NOT NULL DEFAULT 0,
        reason text,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, order_id)
      )`);
    await isolateTenantRows(tx, tables.name('payments'));
  },
  async apply(tx, events, tables) {
    const payments = tables.name('payments');
    for (const event of events) {
      const at = event.metadata.timestamp;
      const { orderId } = event.data;
      // Every change sets the status, the stream's version (for If-Match) and the time.
      const update = (status: string, set: string, values: unknown[]) =>
        tx.query(
          `UPDATE ${payments} SET status = $2, version = $3, updated_at = $4${set}
            WHERE order_id = $1`,
          [orderId, status, event.streamVersion, at, ...values],
        );
      switch (event.type) {
        case 'PaymentAuthorized':
        case 'PaymentDeclined': {
          const declined = event.type === 'PaymentDeclined';
          const { paymentId, customerId, amountCents } = event.data;
          await tx.query(
            `INSERT INTO ${payments} (order_id, payment_id, customer_id, status, amount_cents, reason, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant, order_id) DO NOTHING`,
            [
              orderId,
              paymentId,
              customerId,
              declined ? 'declined' : 'authorized',
              amountCents,
              declined ? event.data.reason : null,
              event.streamVersion,
              at,
            ],
          );
          break;
        }
        case 'PaymentCaptured':
          await update('captured', ', captured_cents = $5', [event.data.amountCents]);
          break;
        case 'PaymentVoided':
          await update('voided', ', reason = $5', [event.data.reason]);
          break;
        case 'PaymentRefunded':
          await update('refunded', ', refunded_cents = refunded_cents + $5, reason = $6', [
            event.data.amountCents,
            event.data.reason,
          ]);
          break;
      }
    }
  },
});
