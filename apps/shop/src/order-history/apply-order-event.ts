import type { IntegrationMessage } from '@duet/core';
import type { SqlTransaction } from '@duet/postgres';
import type { HistoryTables } from './history-tables.ts';
import { lockNames } from './names-lock.ts';

interface PlacedData {
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly { sku: string; quantity: number; unitPriceCents: number }[];
  readonly totalCents: number;
}

const statusOf: Record<string, string> = {
  OrderConfirmed: 'confirmed',
  OrderCancelled: 'cancelled',
  OrderShipped: 'shipped',
};

/**
 * Applies one orders message (checked against its contract by the consumer) to the
 * history. OrderPlaced writes the lines at the prices they were placed at, and copies the
 * names the history already knows; names that arrive later are filled in by the customers
 * and catalog consumers.
 */
export async function applyOrderEvent(
  tx: SqlTransaction,
  t: HistoryTables,
  message: IntegrationMessage,
): Promise<void> {
  const at = message.occurredAt;
  if (message.type === 'OrderPlaced') return placeOrder(tx, t, message.data as PlacedData, at);
  const status = statusOf[message.type];
  if (status === undefined) return;
  const { orderId } = message.data as { orderId: string };
  // An upsert, not an update: nothing may be lost if a status ever came before OrderPlaced.
  await tx.query(
    `INSERT INTO ${t.orders} AS o (order_id, status, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant, order_id) DO UPDATE SET status = $2, updated_at = GREATEST(o.updated_at, $3)`,
    [orderId, status, at],
  );
}

async function placeOrder(tx: SqlTransaction, t: HistoryTables, data: PlacedData, at: string) {
  await lockNames(tx, t.schema, 'copy');
  // The inbox drops a redelivery; this covers a republish under a new event id, which
  // would otherwise fail on the lines' key for good and be dead-lettered.
  await tx.query(`DELETE FROM ${t.orderLines} WHERE order_id = $1`, [data.orderId]);
  await tx.query(
    `INSERT INTO ${t.orderLines} (order_id, line_no, sku, product_name, quantity, unit_price_cents)
     SELECT $1, x.line_no, x.sku, p.name, x.quantity, x.unit_price_cents
       FROM jsonb_to_recordset($2::text::jsonb)
            AS x(line_no integer, sku text, quantity integer, unit_price_cents bigint)
       LEFT JOIN ${t.products} p ON p.sku = x.sku`,
    [
      data.orderId,
      JSON.stringify(
        data.lines.map((line, index) => ({
          line_no: index + 1,
          sku: line.sku,
          quantity: line.quantity,
          unit_price_cents: line.unitPriceCents,
        })),
      ),
    ],
  );
  // Status stays if one came first; payment state (if any came first) is untouched.
  await tx.query(
    `INSERT INTO ${t.orders} AS o
       (order_id, customer_id, customer_name, shipping_address, status, total_cents,
        placed_at, updated_at, item_names)
     SELECT $1, $2, c.name, c.address, 'placed', $3, $4, $4, ${itemNames(t, '$1')}
       FROM (SELECT 1) AS one LEFT JOIN ${t.customers} c ON c.customer_id = $2
     ON CONFLICT (tenant, order_id) DO UPDATE SET
       customer_id = EXCLUDED.customer_id, customer_name = EXCLUDED.customer_name,
       shipping_address = EXCLUDED.shipping_address, status = COALESCE(o.status, 'placed'),
       total_cents = EXCLUDED.total_cents, placed_at = EXCLUDED.placed_at,
       updated_at = GREATEST(o.updated_at, EXCLUDED.updated_at), item_names = EXCLUDED.item_names`,
    [data.orderId, data.customerId, data.totalCents, at],
  );
}

/**
 * SQL for an order's searchable text: its lines' product names, and their SKUs (so an
 * order whose product names have not arrived yet is still found by SKU words).
 */
export function itemNames(t: HistoryTables, orderId: string): string {
  return `(SELECT coalesce(string_agg(coalesce(l.product_name, '') || ' ' || l.sku, ' ' ORDER BY l.line_no), '')
             FROM ${t.orderLines} l WHERE l.order_id = ${orderId})`;
}
