import { defineQuery } from '@duet/core';
import { z } from 'zod';
import { skuSchema } from './product-commands.ts';

/** A product as the shop shows it: what it is, what it costs, how many can be ordered. */
export const ProductView = z.object({
  sku: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  priceCents: z.number().int(),
  /** Units a new order may reserve: on hand minus reserved. */
  available: z.number().int(),
  discontinued: z.boolean(),
});

/** Pages are at most this long. */
export const MAX_PAGE_SIZE = 100;

/**
 * The catalog, by SKU, a page at a time (keyset: `after` is the previous page's `next`).
 * Open to every signed-in principal of the tenant (no role needed), and it shows nothing a
 * shop page would not. A catalog is its tenant's: a principal without a tenant is refused
 * (`TenantRequiredError`, 403 over HTTP).
 *
 * @example
 * const { products, next } = await queries.ask('ListProducts', { limit: 20 }, { tenant: 'shop' });
 */
export const ListProducts = defineQuery('ListProducts', {
  description:
    "The tenant's products for sale, by SKU, a page at a time (any principal of the tenant).",
  params: z.strictObject({
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
    /** The `next` cursor of the previous page: the last SKU it showed. */
    after: skuSchema.optional(),
    /** Also list discontinued products (default false). */
    includeDiscontinued: z.boolean().default(false),
  }),
  result: z.object({ products: z.array(ProductView), next: z.string().nullable() }),
  projections: ['catalog_products'],
});

/**
 * One product, discontinued ones too, with its stock counts; an unknown SKU is a
 * `NotFoundError`.
 *
 * @example
 * const tea = await queries.ask('GetProduct', { sku: 'tea' }, { tenant: 'shop' });
 */
export const GetProduct = defineQuery('GetProduct', {
  description:
    "One of the tenant's products with its price and stock (any principal of the tenant).",
  params: z.strictObject({ sku: skuSchema }),
  result: ProductView.extend({
    /** Units in the warehouse, reserved ones included. */
    onHand: z.number().int(),
    /** Units held for placed orders. */
    reserved: z.number().int(),
    /** The product stream's version the row reflects. */
    version: z.number().int(),
  }),
  projections: ['catalog_products'],
});

export const catalogQueries = [ListProducts, GetProduct];
