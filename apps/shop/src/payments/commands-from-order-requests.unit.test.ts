import type { IntegrationMessage } from '@duet/core';
import { describe, expect, it } from 'vitest';
import {
  authorizePaymentFrom,
  commandFromOrderRequest,
  refundPaymentFrom,
  voidPaymentFrom,
} from './commands-from-order-requests.ts';

function message(type: string, data: unknown, service = 'orders'): IntegrationMessage {
  return {
    id: 'm-1',
    service,
    type,
    subject: `${service}.${type}`,
    version: 1,
    stream: 'order-o-1',
    streamVersion: 2,
    previousVersion: 1,
    position: '2',
    occurredAt: '2025-01-01T00:00:00.000Z',
    data,
    metadata: {},
  };
}

describe("commands from the orders service's payment requests", () => {
  it('given an authorization request, then AuthorizePayment asks for its amount (no gateway answer yet)', () => {
    expect(authorizePaymentFrom({ orderId: 'o-1', customerId: 'ada', amountCents: 2100 })).toEqual({
      type: 'AuthorizePayment',
      data: { orderId: 'o-1', customerId: 'ada', amountCents: 2100 },
    });
  });

  it('given a refund request, then RefundPayment names no amount (all that is left)', () => {
    expect(refundPaymentFrom({ orderId: 'o-1', reason: 'cancelled' })).toEqual({
      type: 'RefundPayment',
      data: { orderId: 'o-1', reason: 'cancelled' },
    });
  });

  it('given a void request with an empty reason, then the command still gets a reason', () => {
    expect(voidPaymentFrom({ orderId: 'o-1', reason: '  ' }).data.reason).toBe(
      'requested by the orders service',
    );
  });

  it.each([
    [
      'PaymentAuthorizationRequested',
      { orderId: 'o-1', customerId: 'ada', amountCents: 5 },
      'AuthorizePayment',
    ],
    ['PaymentCaptureRequested', { orderId: 'o-1' }, 'CapturePayment'],
    ['PaymentVoidRequested', { orderId: 'o-1', reason: 'no stock' }, 'VoidPayment'],
    ['PaymentRefundRequested', { orderId: 'o-1', reason: 'cancelled' }, 'RefundPayment'],
  ])('given a %s message, then it becomes %s', async (type, data, command) => {
    expect((await commandFromOrderRequest(message(type, data)))?.type).toBe(command);
  });

  it('given a message that is no payment request, then there is no command', async () => {
    expect(await commandFromOrderRequest(message('OrderPlaced', {}))).toBeUndefined();
    expect(
      await commandFromOrderRequest(message('PaymentCaptureRequested', {}, 'catalog')),
    ).toBeUndefined();
  });

  it('given a request that breaks its contract, then it is refused', async () => {
    await expect(
      commandFromOrderRequest(message('PaymentCaptureRequested', { orderId: 5 })),
    ).rejects.toThrow('orderId');
  });
});
