import {
  checkSchemaName,
  isolateTenantRows,
  quoteIdentifier,
  type SqlTransaction,
  TENANT_COLUMN,
} from '@duet/postgres';

/** Qualified, quoted names of the order history's tables in one schema. */
export interface HistoryTables {
  readonly schema: string;
  readonly orders: string;
  readonly orderLines: string;
  readonly customers: string;
  readonly products: string;
}

/**
 * The table names of the order history in `schema` (checked, quoted).
 *
 * @example
 * const t = historyTables('order_history'); // t.orders === '"order_history"."orders_v2"'
 */
export function historyTables(schema: string): HistoryTables {
  const s = quoteIdentifier(checkSchemaName(schema, 'schema'));
  // `_v2`: every row keyed by tenant (the tables before had none and are left alone).
  return {
    schema,
    orders: `${s}.orders_v2`,
    orderLines: `${s}.order_lines_v2`,
    customers: `${s}.customers_v2`,
    products: `${s}.products_v2`,
  };
}

/**
 * Creates the read model's tables and indexes if missing (idempotent: run at every start).
 *
 * Every column another service fills is nullable: messages of different services arrive
 * in any order, so an order's row may first hold only its payment state, or its lines
 * without product names, until the other service's message fills them in.
 */
export async function setupHistoryTables(tx: SqlTransaction, t: HistoryTables): Promise<void> {
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${t.customers} (
       ${TENANT_COLUMN},
       customer_id text NOT NULL,
       name text,
       address jsonb,
       PRIMARY KEY (tenant, customer_id)
     )`,
    `CREATE TABLE IF NOT EXISTS ${t.products} (
       ${TENANT_COLUMN},
       sku text NOT NULL,
       name text,
       price_cents bigint,
       PRIMARY KEY (tenant, sku)
     )`,
    // customer_id and placed_at are null until OrderPlaced arrives (a payment may come
    // first); such rows are invisible to the queries, which all need placed_at.
    `CREATE TABLE IF NOT EXISTS ${t.orders} (
       ${TENANT_COLUMN},
       order_id text NOT NULL,
       customer_id text,
       customer_name text,
       shipping_address jsonb,
       status text,
       total_cents bigint,
       payment_state text,
       placed_at timestamptz,
       updated_at timestamptz NOT NULL,
       item_names text NOT NULL DEFAULT '',
       search tsvector GENERATED ALWAYS AS (to_tsvector('simple', item_names)) STORED,
       PRIMARY KEY (tenant, order_id)
     )`,
    `CREATE TABLE IF NOT EXISTS ${t.orderLines} (
       ${TENANT_COLUMN},
       order_id text NOT NULL,
       line_no integer NOT NULL,
       sku text NOT NULL,
       product_name text,
       quantity integer NOT NULL,
       unit_price_cents bigint NOT NULL,
       PRIMARY KEY (tenant, order_id, line_no)
     )`,
    // One index per query shape, all in the pages' order (placed_at, order_id) DESC:
    // a customer's history, staff by status, staff over everything.
    // Each led by the tenant: row policies add `tenant = ...` to every query.
    `CREATE INDEX IF NOT EXISTS orders_v2_by_customer ON ${t.orders} (tenant, customer_id, placed_at DESC, order_id DESC)`,
    `CREATE INDEX IF NOT EXISTS orders_v2_by_status ON ${t.orders} (tenant, status, placed_at DESC, order_id DESC)`,
    `CREATE INDEX IF NOT EXISTS orders_v2_by_placed ON ${t.orders} (tenant, placed_at DESC, order_id DESC)`,
    // Free text over item names.
    `CREATE INDEX IF NOT EXISTS orders_v2_search ON ${t.orders} USING gin (search)`,
    // By product, and the renames that rewrite every line of a product.
    `CREATE INDEX IF NOT EXISTS order_lines_v2_by_sku ON ${t.orderLines} (tenant, sku, order_id)`,
  ];
  for (const statement of statements) await tx.query(statement);
  for (const table of [t.customers, t.products, t.orders, t.orderLines]) {
    await isolateTenantRows(tx, table);
  }
}
