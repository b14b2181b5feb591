import { describe, expect, it } from 'vitest';
import { CART_EXPIRED_REASON, cartExpiresAt, expireCart } from './cart-expiry.ts';

const hour = 3_600_000;
const lastChangedAt = '2025-01-01T10:00:00.000Z';

describe('cart expiry', () => {
  it('given a cart changed at ten, then it expires an hour later', () => {
    expect(cartExpiresAt(lastChangedAt, hour)).toBe('2025-01-01T11:00:00.000Z');
  });

  it('given a cart untouched for the whole time, when its timer fires, then it is cancelled as expired', () => {
    expect(
      expireCart(
        { orderId: 'o-1', status: 'cart', lastChangedAt },
        '2025-01-01T11:00:00.000Z',
        hour,
      ),
    ).toEqual({ type: 'CancelOrder', data: { orderId: 'o-1', reason: CART_EXPIRED_REASON } });
  });

  it('given a cart changed since the timer was set, when the old timer fires, then nothing is sent', () => {
    const changedLater = { orderId: 'o-1', status: 'cart', lastChangedAt } as const;
    expect(expireCart(changedLater, '2025-01-01T10:59:59.999Z', hour)).toBeUndefined();
  });

  it('given an order placed since, when its timer fires, then nothing is sent', () => {
    const placed = { orderId: 'o-1', status: 'placed', lastChangedAt } as const;
    expect(expireCart(placed, '2025-01-02T00:00:00.000Z', hour)).toBeUndefined();
  });
});
