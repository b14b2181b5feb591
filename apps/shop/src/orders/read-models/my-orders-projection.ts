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
 * "My orders": one row per order with what a list shows (status, item count, total), kept
 * per customer and newest first.
 */
export const myOrdersProjection = defineProjection<RecordedEvent<OrderEvent>>({
  name: 'my_orders',
  // 2: rows keyed by tenant.
  version: 2,
  events: [ItemAdded, ItemRemoved, OrderPlaced, OrderConfirmed, OrderCancelled, OrderShipped],
  async setup(tx, tables) {
    const orders = tables.name('orders');
    await tx.query(`
      CREATE TABLE ${orders} (
        ${TENANT_COLUMN},
        order_id text NOT NULL,
        customer_id text NOT NULL,
        status text NOT NULL,
        item_count integer NOT NULL,
        total_cents bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        position text NOT NULL,
        PRIMARY KEY (tenant, order_id)
      )`);
    await tx.query(
      `CREATE INDEX ON ${orders} (tenant, customer_id, updated_at DESC, order_id DESC)`,
    );
    await isolateTenantRows(tx, orders);
  },
  async apply(tx, events, tables) {
    const orders = tables.name('orders');
    // Events of one batch are applied in order, one statement each: a batch is one
    // transaction, so the round trips stay inside it.
    for (const event of events) {
      const at = event.metadata.timestamp;
      switch (event.type) {
        case 'ItemAdded':
        case 'ItemRemoved': {
          const sign = event.type === 'ItemAdded' ? 1 : -1;
          const quantity = sign * event.data.quantity;
          const cents = quantity * event.data.unitPriceCents;
          await tx.query(
            `INSERT INTO ${orders} AS o (order_id, customer_id, status, item_count, total_cents, updated_at, position)
             VALUES ($1, $2, 'cart', $3, $4, $5, $6)
             ON CONFLICT (tenant, order_id) DO UPDATE SET
               item_count = o.item_count + $3, total_cents = o.total_cents + $4,
               updated_at = $5, position = $6`,
            [
              event.data.orderId,
              event.type === 'ItemAdded' ? event.data.customerId : '',
              quantity,
              cents,
              at,
              event.position,
            ],
          );
          break;
        }
        case 'OrderPlaced':
          await tx.query(
            `UPDATE ${orders} SET status = 'placed', total_cents = $2, item_count = $3, updated_at = $4, position = $5
             WHERE order_id = $1`,
            [
              event.data.orderId,
              event.data.totalCents,
              event.data.lines.reduce((n, line) => n + line.quantity, 0),
              at,
              event.position,
            ],
          );
          break;
        default: {
          const status = statusAfter[event.type];
          await tx.query(
            `UPDATE ${orders} SET status = $2, updated_at = $3, position = $4 WHERE order_id = $1`,
            [event.data.orderId, status, at, event.position],
          );
        }
      }
    }
  },
});

const statusAfter = {
  OrderConfirmed: 'confirmed',
  OrderCancelled: 'cancelled',
  OrderShipped: 'shipped',
} as const;
