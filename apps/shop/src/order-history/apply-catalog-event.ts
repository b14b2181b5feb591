import type { IntegrationMessage } from '@duet/core';
import type { SqlTransaction } from '@duet/postgres';
import { itemNames } from './apply-order-event.ts';
import type { HistoryTables } from './history-tables.ts';
import { lockNames } from './names-lock.ts';

/**
 * Applies one catalog message. Names go into `products` and into every order line of the
 * product (and the orders' searchable text); a price change only moves the current price:
 * order lines keep the price they were placed at, which came with OrderPlaced.
 */
export async function applyCatalogEvent(
  tx: SqlTransaction,
  t: HistoryTables,
  message: IntegrationMessage,
): Promise<void> {
  const data = message.data as { sku: string; name?: string; priceCents?: number };
  switch (message.type) {
    case 'PriceChanged':
      await tx.query(
        `INSERT INTO ${t.products} AS p (sku, price_cents) VALUES ($1, $2)
         ON CONFLICT (tenant, sku) DO UPDATE SET price_cents = EXCLUDED.price_cents`,
        [data.sku, data.priceCents],
      );
      return;
    case 'ProductAdded':
    case 'ProductRenamed':
      break;
    default:
      return;
  }
  await lockNames(tx, t.schema, 'change');
  await tx.query(
    `INSERT INTO ${t.products} AS p (sku, name, price_cents) VALUES ($1, $2, $3)
     ON CONFLICT (tenant, sku) DO UPDATE SET name = EXCLUDED.name,
       price_cents = COALESCE(EXCLUDED.price_cents, p.price_cents)`,
    [data.sku, data.name, data.priceCents ?? null],
  );
  await tx.query(`UPDATE ${t.orderLines} SET product_name = $2 WHERE sku = $1`, [
    data.sku,
    data.name,
  ]);
  await tx.query(
    `UPDATE ${t.orders} o SET item_names = ${itemNames(t, 'o.order_id')}
      WHERE o.order_id IN (SELECT order_id FROM ${t.orderLines} WHERE sku = $1)`,
    [data.sku],
  );
}
