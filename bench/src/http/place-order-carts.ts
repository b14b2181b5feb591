// The carts the place-order load places, the same for every system: cart `i` is order
// `h<i>` of customer `bench-c<i mod 16 + 1>` (the shop bench's keys: a key is its
// customer's id), one line of tea. Each PlaceOrder goes to a cart never placed before.
import { benchApiKeys } from '../shop/shop-deployment.ts';
import type { HttpRequestPlan } from './http-loops.ts';

/** The shop's API keys the servers accept (staff and 16 customers, tenant `shop`). */
export const httpApiKeys = benchApiKeys;
export const TENANT = 'shop';
const CUSTOMERS = 16;
/** The demo catalog's tea (npm start seeds it): the line every cart holds. */
export const CART_LINE = { sku: 'tea', quantity: 1, unitPriceCents: 450 } as const;

export const orderIdOf = (cart: number) => `h${cart}`;
export const customerOf = (cart: number) => `bench-c${(cart % CUSTOMERS) + 1}`;

/** The event a seeded cart holds, in the shop's `ItemAdded` shape. */
export const seededItem = (cart: number) => ({
  type: 'ItemAdded' as const,
  data: { orderId: orderIdOf(cart), customerId: customerOf(cart), ...CART_LINE },
});

/** `PlaceOrder` for cart `cart`, as the customer who owns it. */
export const placeOrderRequest = (cart: number): HttpRequestPlan => ({
  path: '/commands/PlaceOrder',
  body: JSON.stringify({ orderId: orderIdOf(cart) }),
  apiKey: customerOf(cart),
});

/** `AddItem` that opens cart `cart` (the shop prices it from its catalog). */
export const addItemRequest = (cart: number): HttpRequestPlan => ({
  path: '/commands/AddItem',
  body: JSON.stringify({ orderId: orderIdOf(cart), ...CART_LINE }),
  apiKey: customerOf(cart),
});

/**
 * Hands out carts `0 .. carts - 1` once each, then undefined.
 *
 * @example
 * const next = cartSupply(20_000, placeOrderRequest);
 */
export function cartSupply(
  carts: number,
  request: (cart: number) => HttpRequestPlan,
): () => HttpRequestPlan | undefined {
  let next = 0;
  return () => (next < carts ? request(next++) : undefined);
}

/**
 * Runs `fn` for carts `0 .. carts - 1`, `loops` at a time.
 *
 * @example
 * await forEachCart(20_000, 64, (cart) => store.append(...));
 */
export async function forEachCart(
  carts: number,
  loops: number,
  fn: (cart: number) => Promise<unknown>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let cart = loop; cart < carts; cart += loops) await fn(cart);
    }),
  );
}
