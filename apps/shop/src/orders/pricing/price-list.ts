import {
  checkSchemaName,
  isolateTenantRows,
  quoteIdentifier,
  type SqlExecutor,
  type SqlTransaction,
  TENANT_COLUMN,
} from '@duet/postgres';

// The orders service's copy of the catalog's prices (data the catalog owns, replicated by
// its integration events): carts are priced from it, never by the client.

// `_v2`: keyed by tenant (each tenant's catalog has its own prices). The table before
// (no tenant) is left alone; the durable consumer fills this one from the catalog's stream.
const table = (schema: string) =>
  `${quoteIdentifier(checkSchemaName(schema, 'schema'))}.price_list_v2`;

/** A product as the orders service knows it. */
export interface ListedProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly discontinued: boolean;
}

/** Creates the `price_list` table if missing (run under the schema lock at start). */
export async function ensurePriceList(tx: SqlTransaction, schema: string): Promise<void> {
  await tx.query(`CREATE TABLE IF NOT EXISTS ${table(schema)} (
    ${TENANT_COLUMN},
    sku          text    NOT NULL,
    name         text    NOT NULL,
    price_cents  integer NOT NULL,
    discontinued boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant, sku)
  )`);
  await isolateTenantRows(tx, table(schema));
}

/** The product as the orders service last heard of it, or undefined. */
export async function readListedProduct(
  executor: SqlExecutor,
  schema: string,
  sku: string,
): Promise<ListedProduct | undefined> {
  const { rows } = await executor.query<{
    sku: string;
    name: string;
    price_cents: number;
    discontinued: boolean;
  }>(`SELECT sku, name, price_cents, discontinued FROM ${table(schema)} WHERE sku = $1`, [sku]);
  const row = rows[0];
  return row
    ? { sku: row.sku, name: row.name, priceCents: row.price_cents, discontinued: row.discontinued }
    : undefined;
}

/**
 * Resolves once every sku is in the price list (a product the catalog just added takes a
 * moment to arrive); throws after `timeoutMs`. For demo data and tests, which add products
 * and order them at once.
 */
export async function waitForListedProducts(
  executor: SqlExecutor,
  schema: string,
  skus: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await executor.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM ${table(schema)} WHERE sku = ANY($1::text[])`,
      [[...new Set(skus)]],
    );
    if (rows[0]!.n === new Set(skus).size) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the orders service has not heard of ${skus.join(', ')} within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Applies one catalog product fact (messages of one product arrive in order). */
export async function applyProductFact(
  tx: SqlTransaction,
  schema: string,
  fact:
    | { type: 'ProductAdded'; sku: string; name: string; priceCents: number }
    | { type: 'ProductRenamed'; sku: string; name: string }
    | { type: 'PriceChanged'; sku: string; priceCents: number }
    | { type: 'ProductDiscontinued'; sku: string },
): Promise<void> {
  const t = table(schema);
  switch (fact.type) {
    case 'ProductAdded':
      await tx.query(
        `INSERT INTO ${t} (sku, name, price_cents) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents`,
        [fact.sku, fact.name, fact.priceCents],
      );
      return;
    case 'ProductRenamed':
      await tx.query(`UPDATE ${t} SET name = $2 WHERE sku = $1`, [fact.sku, fact.name]);
      return;
    case 'PriceChanged':
      await tx.query(`UPDATE ${t} SET price_cents = $2 WHERE sku = $1`, [
        fact.sku,
        fact.priceCents,
      ]);
      return;
    case 'ProductDiscontinued':
      await tx.query(`UPDATE ${t} SET discontinued = true WHERE sku = $1`, [fact.sku]);
      return;
  }
}
