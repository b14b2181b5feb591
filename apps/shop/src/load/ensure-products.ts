import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryResultOf } from '@duet/core';
import type { GetProduct } from '../catalog/catalog-queries.ts';
import { replyProblem, type ShopHttp } from './shop-http.ts';

type ProductView = QueryResultOf<typeof GetProduct>;

/** A product the workload orders, at the price the catalog shows. */
export interface LoadProduct {
  readonly sku: string;
  readonly priceCents: number;
}

/** The catalog takes at most this many units in one ReceiveStock. */
const MAX_RECEIPT = 1_000_000;

/**
 * Makes sure `count` products `load-1` ... exist and each has at least `unitsEach`
 * available: adds the missing ones, waits until the catalog's read model lists them, and
 * receives the stock they lack. Returns them with the prices the catalog shows.
 *
 * @example
 * const products = await ensureProducts(http, { count: 8, unitsEach: 5000, staffKey, signal });
 */
export async function ensureProducts(
  http: ShopHttp,
  options: {
    readonly count: number;
    readonly unitsEach: number;
    readonly staffKey: string;
    readonly signal: AbortSignal;
  },
): Promise<LoadProduct[]> {
  const { staffKey } = options;
  const skus = Array.from({ length: options.count }, (_, i) => `load-${i + 1}`);
  return Promise.all(
    skus.map(async (sku, i) => {
      // Refused when it exists already; GetProduct below tells either way.
      await http.command(
        'catalog',
        'AddProduct',
        { sku, name: `Load product ${i + 1}`, priceCents: 199 + 100 * i },
        staffKey,
      );
      const product = await readProduct(http, sku, staffKey, options.signal);
      for (let lacking = options.unitsEach - product.available; lacking > 0; ) {
        const quantity = Math.min(lacking, MAX_RECEIPT);
        const received = await http.command('catalog', 'ReceiveStock', { sku, quantity }, staffKey);
        if (received.status !== 200) {
          throw new Error(`cannot stock ${sku}: ReceiveStock ${replyProblem(received)}`);
        }
        lacking -= quantity;
      }
      return { sku, priceCents: product.priceCents };
    }),
  );
}

/** The product as the catalog's read model shows it, once it does (30 s at most). */
async function readProduct(
  http: ShopHttp,
  sku: string,
  apiKey: string,
  signal: AbortSignal,
): Promise<ProductView> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const reply = await http.query<ProductView>('catalog', 'GetProduct', { sku }, apiKey);
    if (reply.status === 200) return reply.body;
    // 404 until the read model has the product; a 5xx seen from a service that had just
    // started (its read model not set up yet) is tried again too.
    if ((reply.status !== 404 && reply.status < 500) || performance.now() > deadline) {
      throw new Error(`product ${sku} not in the catalog: GetProduct ${replyProblem(reply)}`);
    }
    await sleep(50, undefined, { signal });
  }
}
