import { CancelOrder, type OrderCommand } from '../order-commands.ts';
import type { OrderStatus } from '../order-decider.ts';

/** The reason a forgotten cart is cancelled with: stable, so reports can count it. */
export const CART_EXPIRED_REASON = 'cart expired';

/** What the cart-expiry rule needs to know of one order. */
export interface CartActivity {
  readonly orderId: string;
  readonly status: OrderStatus;
  /** When the cart last changed: the timestamp of its last `ItemAdded` or `ItemRemoved`. */
  readonly lastChangedAt: string;
}

/**
 * When a cart changed at `lastChangedAt` expires. The wiring upserts a `cart-expiry` timer
 * for the order's stream with this due time on every `ItemAdded` and `ItemRemoved`, so
 * each change pushes the expiry back.
 *
 * @example
 * cartExpiresAt('2025-01-01T10:00:00.000Z', 3_600_000); // '2025-01-01T11:00:00.000Z'
 */
export function cartExpiresAt(lastChangedAt: string, ttlMs: number): string {
  return new Date(Date.parse(lastChangedAt) + ttlMs).toISOString();
}

/**
 * The command for a fired `cart-expiry` timer: `CancelOrder` with reason `cart expired`
 * when the order is still a cart that has not changed for `ttlMs`, otherwise undefined
 * (placed since, or changed after the timer was set: a later timer covers it). Send it
 * with `PLACEMENT_SAGA_CONTEXT`.
 *
 * @example
 * expireCart({ orderId: 'o-1', status: 'cart', lastChangedAt }, now.toISOString(), 3_600_000);
 * // { type: 'CancelOrder', data: { orderId: 'o-1', reason: 'cart expired' } }
 */
export function expireCart(
  cart: CartActivity,
  now: string,
  ttlMs: number,
): OrderCommand | undefined {
  if (cart.status !== 'cart') return undefined;
  // A timer set for an older change can fire after a newer one moved the expiry (the
  // poller read the row before the upsert): the time check keeps it from cancelling a
  // cart someone is still filling.
  if (Date.parse(now) < Date.parse(cartExpiresAt(cart.lastChangedAt, ttlMs))) return undefined;
  return CancelOrder.create({ orderId: cart.orderId, reason: CART_EXPIRED_REASON });
}
