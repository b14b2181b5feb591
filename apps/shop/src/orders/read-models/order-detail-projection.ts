import { defineProjection, type RecordedEvent } from '@duet/core';
import { isolateTenantRows, TENANT_COLUMN } from '@duet/postgres';
import {
  ItemAdded,
  ItemRemoved,
  OrderCancelled,
  OrderConfirmed,
  type OrderEvent,
  OrderPlaced,
  OrderShipped,
} from '../order-events.ts';

/**
 * An order's detail page: its lines, totals and what happened to it (placed, confirmed,
 * shipped with tracking, or cancelled with a reason).
 */
export const orderDetailProjection = defineProjection<RecordedEvent<OrderEvent>>({
  name: 'order_detail',
  // 2: rows keyed by tenant.
  version: 2,
  events: [ItemAdded, ItemRemoved, OrderPlaced, OrderConfirmed, OrderCancelled, OrderShipped],
  async setup(tx, tables) {
    await tx.query(`
      CREATE TABLE ${tables.name('orders')} (
        ${TENANT_COLUMN},
        order_id text NOT NULL,
        customer_id text NOT NULL,
        status text NOT NULL,
        lines jsonb NOT NULL,
        total_cents bigint NOT NULL,
        tracking_number text,
        cancel_reason text,
        created_at timestamptz NOT NULL,
        placed_at timestamptz,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL,
        PRIMARY KEY (tenant, order_id)
      )`);
    await isolateTenantRows(tx, tables.name('orders'));
  },
  async apply(tx, events, tables) {
    const orders = tables.name('orders');
    for (const event of events) {
      const common = [event.data.orderId, event.metadata.timestamp, event.streamVersion];
      switch (event.type) {
        case 'ItemAdded':
        case 'ItemRemoved': {
          const { sku, unitPriceCents } = event.data;
          const quantity = event.type === 'ItemAdded' ? event.data.quantity : -event.data.quantity;
          // lines: { sku: { quantity, unitPriceCents } }; a line that reaches 0 goes away.
          await tx.query(
            `INSERT INTO ${orders} AS o (order_id, customer_id, status, lines, total_cents, created_at, updated_at, version)
             VALUES ($1, $4, 'cart', jsonb_build_object($5::text, jsonb_build_object('quantity', $6::int, 'unitPriceCents', $7::bigint)), $6::int * $7::bigint, $2, $2, $3)
             ON CONFLICT (tenant, order_id) DO UPDATE SET
               lines = CASE
                 WHEN coalesce((o.lines -> $5::text ->> 'quantity')::int, 0) + $6::int <= 0 THEN o.lines - $5::text
                 ELSE o.lines || jsonb_build_object($5::text, jsonb_build_object(
                   'quantity', coalesce((o.lines -> $5::text ->> 'quantity')::int, 0) + $6::int,
                   'unitPriceCents', $7::bigint))
               END,
               total_cents = o.total_cents + $6::int * $7::bigint,
               updated_at = $2, version = $3`,
            [
              ...common,
              event.type === 'ItemAdded' ? event.data.customerId : '',
              sku,
              quantity,
              unitPriceCents,
            ],
          );
          break;
        }
        case 'OrderPlaced':
          await tx.query(
            `UPDATE ${orders} SET status = 'placed', total_cents = $4, placed_at = $2, updated_at = $2, version = $3
             WHERE order_id = $1`,
            [...common, event.data.totalCents],
          );
          break;
        case 'OrderConfirmed':
          await tx.query(
            `UPDATE ${orders} SET status = 'confirmed', updated_at = $2, version = $3 WHERE order_id = $1`,
            common,
          );
          break;
        case 'OrderCancelled':
          await tx.query(
            `UPDATE ${orders} SET status = 'cancelled', cancel_reason = $4, updated_at = $2, version = $3
             WHERE order_id = $1`,
            [...common, event.data.reason],
          );
          break;
        case 'OrderShipped':
          await tx.query(
            `UPDATE ${orders} SET status = 'shipped', tracking_number = $4, updated_at = $2, version = $3
             WHERE order_id = $1`,
            [...common, event.data.trackingNumber],
          );
          break;
      }
    }
  },
});
