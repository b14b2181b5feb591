import { defineQueryHandler, NotFoundError } from '@duet/core';
import type { ReadModel } from '@duet/postgres';
import { PRODUCTS_TABLE } from './catalog-products-projection.ts';
import { GetProduct, ListProducts } from './catalog-queries.ts';

/** Resolves a projection's active tables at query time (a rebuild may have switched them). */
export type ReadModels = (name: string) => Promise<ReadModel>;

interface ProductRow {
  sku: string;
  name: string;
  description: string | null;
  price_cents: string | number;
  on_hand: number;
  reserved: number;
  discontinued: boolean;
  version: number;
}

const view = (row: ProductRow) => ({
  sku: row.sku,
  name: row.name,
  description: row.description,
  priceCents: Number(row.price_cents),
  available: row.on_hand - row.reserved,
  discontinued: row.discontinued,
});

/**
 * The catalog's query handlers, reading `catalog_products`.
 *
 * @example
 * createQueryBus({ handlers: catalogQueryHandlers((name) => processors.readModel(name)) });
 */
export function catalogQueryHandlers(readModels: ReadModels) {
  const listProducts = defineQueryHandler(ListProducts, async (params) => {
    const { tables, executor } = await readModels('catalog_products');
    // One row more than the page tells whether there is a next page.
    const { rows } = await executor.query<ProductRow>(
      `SELECT * FROM ${tables.name(PRODUCTS_TABLE)}
        WHERE ($1::text IS NULL OR sku > $1) AND ($2 OR NOT discontinued)
        ORDER BY sku LIMIT $3`,
      [params.after ?? null, params.includeDiscontinued, params.limit + 1],
    );
    const page = rows.slice(0, params.limit);
    return {
      products: page.map(view),
      next: rows.length > params.limit ? page.at(-1)!.sku : null,
    };
  });

  const getProduct = defineQueryHandler(GetProduct, async ({ sku }) => {
    const { tables, executor } = await readModels('catalog_products');
    const { rows } = await executor.query<ProductRow>(
      `SELECT * FROM ${tables.name(PRODUCTS_TABLE)} WHERE sku = $1`,
      [sku],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('product', sku);
    return {
      ...view(row),
      onHand: row.on_hand,
      reserved: row.reserved,
      version: row.version,
    };
  });

  return [listProducts, getProduct];
}
