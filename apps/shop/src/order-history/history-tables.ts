import { checkSchemaName, quoteIdentifier, type SqlTransaction } from '@duet/postgres';

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
 * const t = historyTables('order_history'); // t.orders === '"order_history"."orders"'
 */
export function historyTables(schema: string): HistoryTables {
  const s = quoteIdentifier(checkSchemaName(schema, 'schema'));
  return {
    schema,
    orders: `${s}.orders`,
    orderLines: `${s}.order_lines`,
    customers: `${s}.customers`,
    products: `${s}.products`,
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
       customer_id text PRIMARY KEY,
       name text,
       address jsonb
     )`,
    `CREATE TABLE IF NOT EXISTS ${t.products} (
       sku text PRIMARY KEY,
       name text,
       price_cents bigint
     )`,
    // customer_id and placed_at are null until OrderPlaced arrives (a payment may come
    // first); such rows are invisible to the queries, which all need placed_at.
    `CREATE TABLE IF NOT EXISTS ${t.orders} (
       order_id text PRIMARY KEY,
       customer_id text,
       customer_name text,
       shipping_address jsonb,
       status text,
       total_cents bigint,
       payment_state text,
       placed_at timestamptz,
       updated_at timestamptz NOT NULL,
       item_names text NOT NULL DEFAULT '',
       search tsvector GENERATED ALWAYS AS (to_tsvector('simple', item_names)) STORED
     )`,
    `CREATE TABLE IF NOT EXISTS ${t.orderLines} (
       order_id text NOT NULL,
       line_no integer NOT NULL,
       sku text NOT NULL,
       product_name text,
       quantity integer NOT NULL,
       unit_price_cents bigint NOT NULL,
       PRIMARY KEY (order_id, line_no)
     )`,
    // One index per query shape, all in the pages' order (placed_at, order_id) DESC:
    // a customer's history, staff by status, staff over everything.
    `CREATE INDEX IF NOT EXISTS orders_by_customer ON ${t.orders} (customer_id, placed_at DESC, order_id DESC)`,
    `CREATE INDEX IF NOT EXISTS orders_by_status ON ${t.orders} (status, placed_at DESC, order_id DESC)`,
    `CREATE INDEX IF NOT EXISTS orders_by_placed ON ${t.orders} (placed_at DESC, order_id DESC)`,
    // Free text over item names.
    `CREATE INDEX IF NOT EXISTS orders_search ON ${t.orders} USING gin (search)`,
    // By product, and the renames that rewrite every line of a product.
    `CREATE INDEX IF NOT EXISTS order_lines_by_sku ON ${t.orderLines} (sku, order_id)`,
  ];
  for (const statement of statements) await tx.query(statement);
}
