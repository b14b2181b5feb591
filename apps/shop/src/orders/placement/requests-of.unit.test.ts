import { validate } from '@duet/core';
import { describe, expect, it } from 'vitest';
import { ordersContracts } from '../../contracts/order-placement-contracts.ts';
import { authorizing, compensation, orderId, t } from './placement-fixtures.test-support.ts';
import { requestsOf } from './requests-of.ts';

describe('requestsOf', () => {
  const history = [
    ...authorizing(),
    ...compensation(
      'PAYMENT_TIMED_OUT',
      'payment timed out',
      ['stock', 'credit', 'payment'],
      t(40),
    ),
  ];

  it('given the saga history, when mapped, then each request event is its contract with the contract fields only', () => {
    expect(history.flatMap(requestsOf).map((request) => request.contract)).toEqual([
      'StockReservationRequested',
      'CreditReservationRequested',
      'PaymentAuthorizationRequested',
      'StockReleaseRequested',
      'CreditReleaseRequested',
      'PaymentVoidRequested',
    ]);
    expect(requestsOf(history.at(-2)!)).toEqual([
      {
        contract: 'PaymentVoidRequested',
        subject: 'orders.PaymentVoidRequested',
        data: { orderId, reason: 'payment timed out' },
      },
    ]);
  });

  it("given every request, then its data passes the orders contract's schema and the relay publishes the event as it is", async () => {
    for (const event of history) {
      const contract = ordersContracts.forDomainType(event.type);
      const [request] = requestsOf(event);
      expect(contract?.name).toBe(request?.contract);
      if (contract && request) {
        await expect(validate(contract.schema, request.data, event.type)).resolves.toEqual(
          request.data,
        );
        await expect(validate(contract.schema, event.data, event.type)).resolves.toEqual(
          request.data,
        );
      }
    }
  });
});
