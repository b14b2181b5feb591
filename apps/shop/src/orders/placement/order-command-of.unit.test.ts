import { describe, expect, it } from 'vitest';
import { orderCommandOf } from './order-command-of.ts';
import { compensation, confirmed, orderId, started, t } from './placement-fixtures.test-support.ts';

describe('orderCommandOf', () => {
  it('given a confirmed placement, then the order is confirmed', () => {
    expect(orderCommandOf(confirmed())).toEqual({ type: 'ConfirmOrder', data: { orderId } });
  });

  it('given a cancelled placement, then the order is cancelled with the reason', () => {
    const cancelled = compensation('STOCK_REFUSED', 'out of stock: tea', [], t(1)).at(-1)!;
    expect(orderCommandOf(cancelled)).toEqual({
      type: 'CancelOrder',
      data: { orderId, reason: 'out of stock: tea' },
    });
  });

  it('given a placement stopped because the order was cancelled, then nothing is sent to the order', () => {
    const stopped = compensation('ORDER_CANCELLED', 'order cancelled: oops', [], t(1)).at(-1)!;
    expect(orderCommandOf(stopped)).toBeUndefined();
  });

  it('given any other saga event, then nothing is sent to the order', () => {
    expect(started().map(orderCommandOf)).toEqual([undefined, undefined, undefined]);
  });
});
