import { defineProjection, type RecordedEvent } from '@duet/core';
import { isolateTenantRows, TENANT_COLUMN } from '@duet/postgres';
import { type ProductEvent, productEvents } from './product-events.ts';

/** The table's name inside the projection's tables (`tables.name(PRODUCTS_TABLE)`). */
export const PRODUCTS_TABLE = 'products';

/**
 * `catalog_products`: one row per product with what a shop page shows (name, price,
 * available stock, discontinued), plus on hand and reserved for staff. Built from the
 * product streams only: their stock events already say how many units each order holds.
 *
 * @example
 * openProcessors({ store, projections: [catalogProductsProjection], ... });
 */
export const catalogProductsProjection = defineProjection<RecordedEvent<ProductEvent>>({
  name: 'catalog_products',
  // 2: rows keyed by tenant.
  version: 2,
  events: productEvents,
  async setup(tx, tables) {
    await tx.query(`
      CREATE TABLE ${tables.name(PRODUCTS_TABLE)} (
        ${TENANT_COLUMN},
        sku text NOT NULL,
        name text NOT NULL,
        description text,
        price_cents bigint NOT NULL,
        on_hand integer NOT NULL DEFAULT 0,
        reserved integer NOT NULL DEFAULT 0,
        discontinued boolean NOT NULL DEFAULT false,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, sku)
      )`);
    await isolateTenantRows(tx, tables.name(PRODUCTS_TABLE));
  },
  async apply(tx, events, tables) {
    const products = tables.name(PRODUCTS_TABLE);
    // Every change is a delta on the row, applied in stream order within the batch.
    const update = (event: RecordedEvent<ProductEvent>, set: string, params: unknown[] = []) =>
      tx.query(`UPDATE ${products} SET ${set}, version = $2, updated_at = $3 WHERE sku = $1`, [
        event.data.sku,
        event.streamVersion,
        event.metadata.timestamp,
        ...params,
      ]);
    for (const event of events) {
      switch (event.type) {
        case 'ProductAdded':
          await tx.query(
            `INSERT INTO ${products} (sku, name, description, price_cents, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant, sku) DO NOTHING`,
            [
              event.data.sku,
              event.data.name,
              event.data.description ?? null,
              event.data.priceCents,
              event.streamVersion,
              event.metadata.timestamp,
            ],
          );
          break;
        case 'ProductRenamed':
          await update(event, 'name = $4', [event.data.name]);
          break;
        case 'PriceChanged':
          await update(event, 'price_cents = $4', [event.data.priceCents]);
          break;
        case 'ProductDiscontinued':
          await update(event, 'discontinued = true');
          break;
        case 'StockReceived':
          await update(event, 'on_hand = on_hand + $4', [event.data.quantity]);
          break;
        case 'StockReserved':
          await update(event, 'reserved = reserved + $4', [event.data.quantity]);
          break;
        case 'StockReleased':
          await update(event, 'reserved = reserved - $4', [event.data.quantity]);
          break;
        case 'StockShipped':
          await update(event, 'on_hand = on_hand - $4, reserved = reserved - $4', [
            event.data.quantity,
          ]);
          break;
      }
    }
  },
});
