import { DomainError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, expect, it } from 'vitest';
import {
  FirePlacementTimer,
  RecordCreditRefused,
  RecordCreditReserved,
  RecordOrderCancelled,
  RecordOrderShipped,
  RecordPaymentAuthorized,
  RecordPaymentDeclined,
  RecordStockRefused,
  RecordStockReserved,
  StartPlacement,
} from './placement-commands.ts';
import { createPlacementDecider } from './placement-decider.ts';
import {
  authorizing,
  compensation,
  confirmed,
  creditReserved,
  customerId,
  lines,
  orderId,
  paymentAuthorized,
  paymentRequested,
  paymentTimeoutMs,
  started,
  stockReserved,
  t,
  totalCents,
} from './placement-fixtures.test-support.ts';
import type { PlacementEvent } from './placement-state.ts';

const spec = deciderSpec(createPlacementDecider({ paymentTimeoutMs }));
const start = (at = t(0)) => StartPlacement.create({ orderId, customerId, lines, totalCents, at });
const stockOk = (at: string) => RecordStockReserved.create({ orderId, at });
const creditOk = (at: string) =>
  RecordCreditReserved.create({ orderId, amountCents: totalCents, at });
const paid = (at: string) =>
  RecordPaymentAuthorized.create({
    orderId,
    paymentId: 'payment-o-1',
    amountCents: totalCents,
    at,
  });
const outOfStock = (at: string) =>
  RecordStockRefused.create({ orderId, sku: 'tea', reason: 'OUT_OF_STOCK', at });
const overLimit = (at: string) =>
  RecordCreditRefused.create({ orderId, reason: 'CREDIT_LIMIT_EXCEEDED', at });
const timeout = (at: string) => FirePlacementTimer.create({ orderId, kind: 'payment-timeout', at });
const refusedBecause = (rule: string) => (error: unknown) =>
  error instanceof DomainError && error.rule === rule;

describe('the order placement saga', () => {
  describe('happy path', () => {
    it('given no placement, when an order is placed, then stock and credit are requested together', () => {
      spec.given([]).when(start()).then(started());
    });

    it('given stock and credit requested, when stock is reserved, then it waits for credit', () => {
      spec
        .given(started())
        .when(stockOk(t(1)))
        .then([stockReserved(t(1))]);
    });

    it('given stock reserved, when credit is reserved, then payment is requested with a timeout from now', () => {
      spec
        .given([...started(), stockReserved(t(1))])
        .when(creditOk(t(2)))
        .then([creditReserved(t(2)), ...paymentRequested(t(2))]);
    });

    it('given payment requested, when it is authorized, then the placement is confirmed', () => {
      spec
        .given(authorizing())
        .when(paid(t(3)))
        .then([paymentAuthorized(t(3)), confirmed(t(3))]);
    });
  });

  describe('compensation', () => {
    it('given credit reserved, when stock is refused, then credit is released and the order cancelled', () => {
      spec
        .given([...started(), creditReserved(t(1))])
        .when(outOfStock(t(2)))
        .then([
          {
            type: 'PlacementStockRefused',
            data: { orderId, sku: 'tea', reason: 'OUT_OF_STOCK', at: t(2) },
          },
          ...compensation('STOCK_REFUSED', 'out of stock: tea', ['credit'], t(2)),
        ]);
    });

    it('given stock reserved, when credit is refused, then stock is released and the order cancelled', () => {
      spec
        .given([...started(), stockReserved(t(1))])
        .when(overLimit(t(2)))
        .then([
          {
            type: 'PlacementCreditRefused',
            data: { orderId, reason: 'CREDIT_LIMIT_EXCEEDED', at: t(2) },
          },
          ...compensation(
            'CREDIT_REFUSED',
            'credit refused: CREDIT_LIMIT_EXCEEDED',
            ['stock'],
            t(2),
          ),
        ]);
    });

    it('given payment requested, when it is declined, then stock and credit are released', () => {
      spec
        .given(authorizing())
        .when(RecordPaymentDeclined.create({ orderId, reason: 'insufficient funds', at: t(4) }))
        .then([
          {
            type: 'PlacementPaymentDeclined',
            data: { orderId, reason: 'insufficient funds', at: t(4) },
          },
          ...compensation(
            'PAYMENT_DECLINED',
            'payment declined: insufficient funds',
            ['stock', 'credit'],
            t(4),
          ),
        ]);
    });

    it('given payment requested, when the payment timeout fires, then stock and credit are released', () => {
      spec
        .given(authorizing())
        .when(timeout(t(40)))
        .then([
          { type: 'PlacementTimerFired', data: { orderId, kind: 'payment-timeout', at: t(40) } },
          ...compensation('PAYMENT_TIMED_OUT', 'payment timed out', ['stock', 'credit'], t(40)),
        ]);
    });

    it('given a payment timeout, when the payment is authorized after all, then it is voided', () => {
      const timedOut = [
        ...authorizing(),
        { type: 'PlacementTimerFired', data: { orderId, kind: 'payment-timeout', at: t(40) } },
        ...compensation('PAYMENT_TIMED_OUT', 'payment timed out', ['stock', 'credit'], t(40)),
      ] as const;
      spec
        .given(timedOut)
        .when(paid(t(41)))
        .then([
          paymentAuthorized(t(41)),
          {
            type: 'PaymentVoidRequested',
            data: { orderId, reason: 'payment timed out', at: t(41) },
          },
        ]);
    });

    it('given a placement under way, when the customer cancels the order, then what is held is released', () => {
      spec
        .given([...started(), stockReserved(t(1))])
        .when(RecordOrderCancelled.create({ orderId, reason: 'changed my mind', at: t(2) }))
        .then(compensation('ORDER_CANCELLED', 'order cancelled: changed my mind', ['stock'], t(2)));
    });

    it('given a confirmed placement, when the order is cancelled (undo), then stock and credit are released and the payment voided', () => {
      spec
        .given([...authorizing(), paymentAuthorized(t(3)), confirmed(t(3))])
        .when(RecordOrderCancelled.create({ orderId, reason: 'changed my mind', at: t(9) }))
        .then(
          compensation(
            'ORDER_CANCELLED',
            'order cancelled: changed my mind',
            ['stock', 'credit', 'payment'],
            t(9),
          ),
        );
    });
  });

  describe('shipping', () => {
    const shipped = (at: string) => RecordOrderShipped.create({ orderId, at });
    it('given a confirmed placement, when the order ships, then the stock ships, the payment is captured and the credit hold ends', () => {
      spec
        .given([...authorizing(), paymentAuthorized(t(3)), confirmed(t(3))])
        .when(shipped(t(9)))
        .then([
          { type: 'StockShipmentRequested', data: { orderId, at: t(9) } },
          { type: 'PaymentCaptureRequested', data: { orderId, at: t(9) } },
          {
            type: 'CreditReleaseRequested',
            data: { orderId, customerId, reason: 'order shipped', at: t(9) },
          },
          { type: 'PlacementShipped', data: { orderId, at: t(9) } },
        ]);
    });

    it('given a shipped placement, when the shipment or a cancellation comes again, then nothing is recorded', () => {
      const history: PlacementEvent[] = [
        ...authorizing(),
        paymentAuthorized(t(3)),
        confirmed(t(3)),
        { type: 'PlacementShipped', data: { orderId, at: t(9) } },
      ];
      spec
        .given(history)
        .when(shipped(t(10)))
        .then([]);
      spec
        .given(history)
        .when(RecordOrderCancelled.create({ orderId, reason: 'too late', at: t(10) }))
        .then([]);
    });

    it('given a placement still authorizing, when a shipment arrives, then nothing is recorded', () => {
      spec
        .given(authorizing())
        .when(shipped(t(4)))
        .then([]);
    });
  });

  describe('duplicates and late answers', () => {
    const cancelledForCredit = [
      ...started(),
      { type: 'PlacementCreditRefused', data: { orderId, reason: 'BLOCKED', at: t(1) } },
      ...compensation('CREDIT_REFUSED', 'credit refused: BLOCKED', [], t(1)),
    ] as const;

    it('given a placement started, when the order is placed again, then nothing is recorded', () => {
      spec
        .given(started())
        .when(start(t(5)))
        .then([]);
    });

    it('given stock reserved, when the reservation arrives again, then nothing is recorded', () => {
      spec
        .given([...started(), stockReserved(t(1))])
        .when(stockOk(t(2)))
        .then([]);
    });

    it('given a confirmed placement, when the authorization arrives again, then nothing is recorded', () => {
      spec
        .given([...authorizing(), paymentAuthorized(), confirmed()])
        .when(paid(t(9)))
        .then([]);
    });

    it('given a cancelled placement, when stock is reserved late, then its release is requested', () => {
      spec
        .given(cancelledForCredit)
        .when(stockOk(t(5)))
        .then([
          stockReserved(t(5)),
          {
            type: 'StockReleaseRequested',
            data: { orderId, reason: 'credit refused: BLOCKED', at: t(5) },
          },
        ]);
    });

    it('given a late reservation already released, when it arrives again, then nothing is recorded', () => {
      const released = [
        ...cancelledForCredit,
        stockReserved(t(5)),
        {
          type: 'StockReleaseRequested',
          data: { orderId, reason: 'credit refused: BLOCKED', at: t(5) },
        },
      ] as const;
      spec
        .given(released)
        .when(stockOk(t(6)))
        .then([]);
    });

    it('given a cancelled placement, when stock is refused late, then nothing is recorded', () => {
      spec
        .given(cancelledForCredit)
        .when(outOfStock(t(5)))
        .then([]);
    });

    it('given a cancelled placement, when its own cancellation comes back from the order, then nothing is recorded', () => {
      spec
        .given(cancelledForCredit)
        .when(RecordOrderCancelled.create({ orderId, reason: 'credit refused: BLOCKED', at: t(5) }))
        .then([]);
    });

    it('given a confirmed placement, when the payment timeout fires, then nothing is recorded', () => {
      spec
        .given([...authorizing(), paymentAuthorized(), confirmed()])
        .when(timeout(t(40)))
        .then([]);
    });
  });

  describe('bad input', () => {
    it('given no placement, when an answer arrives, then it is refused as not started', () => {
      spec
        .given([])
        .when(stockOk(t(1)))
        .then(refusedBecause('PLACEMENT_NOT_STARTED'));
    });

    it('given payment not requested, when a payment answer arrives, then it is refused', () => {
      spec
        .given(started())
        .when(paid(t(1)))
        .then(refusedBecause('PAYMENT_NOT_REQUESTED'));
    });

    it('given no placement, when a timer fires, then nothing is recorded', () => {
      spec
        .given([])
        .when(timeout(t(1)))
        .then([]);
    });

    it('given a payment timeout that is not a whole positive number, then the decider is not created', () => {
      expect(() => createPlacementDecider({ paymentTimeoutMs: 0 })).toThrow(/paymentTimeoutMs/);
      expect(() => createPlacementDecider({ paymentTimeoutMs: 1.5 })).toThrow(/paymentTimeoutMs/);
    });
  });
});
