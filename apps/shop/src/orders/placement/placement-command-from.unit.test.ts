import { ValidationError } from '@duet/core';
import { deciderSpec } from '@duet/core/testing';
import { describe, expect, it } from 'vitest';
import { placementCommandFrom, placementCommandFromOrderEvent } from './placement-command-from.ts';
import { createPlacementDecider } from './placement-decider.ts';
import {
  customerId,
  lines,
  orderId,
  started,
  stockReserved,
  t,
  totalCents,
} from './placement-fixtures.test-support.ts';

const message = (service: string, type: string, data: unknown) => ({
  id: 'm-1',
  service,
  type,
  subject: `${service}.${type}`,
  data,
});

describe('placement commands from messages', () => {
  it("given the orders service's OrderPlaced, then the placement starts at the wiring's time", () => {
    const placed = {
      type: 'OrderPlaced',
      data: { orderId, customerId, lines, totalCents },
    } as const;
    expect(placementCommandFromOrderEvent(placed, t(0))).toEqual({
      type: 'StartPlacement',
      data: { orderId, customerId, lines, totalCents, at: t(0) },
    });
  });

  it('given each answer contract, then it becomes the matching record command', async () => {
    const answers = [
      message('catalog', 'StockReserved', { orderId, lines: [{ sku: 'tea', quantity: 2 }] }),
      message('catalog', 'StockReservationRefused', {
        orderId,
        sku: 'tea',
        reason: 'OUT_OF_STOCK',
        message: 'only 1 left',
      }),
      message('customers', 'CreditReserved', { orderId, customerId, amountCents: 900 }),
      message('customers', 'CreditReservationRefused', { orderId, customerId, reason: 'BLOCKED' }),
      message('payments', 'PaymentAuthorized', { orderId, paymentId: 'p-1', amountCents: 900 }),
      message('payments', 'PaymentDeclined', { orderId, reason: 'insufficient funds' }),
    ];
    const commands = await Promise.all(answers.map((answer) => placementCommandFrom(answer, t(1))));
    expect(commands.map((command) => command?.type)).toEqual([
      'RecordStockReserved',
      'RecordStockRefused',
      'RecordCreditReserved',
      'RecordCreditRefused',
      'RecordPaymentAuthorized',
      'RecordPaymentDeclined',
    ]);
    expect(commands[1]?.data).toEqual({ orderId, sku: 'tea', reason: 'OUT_OF_STOCK', at: t(1) });
  });

  it('given a message the saga does not consume, then there is no command', async () => {
    await expect(
      placementCommandFrom(message('catalog', 'StockReleased', { orderId }), t(1)),
    ).resolves.toBeUndefined();
  });

  it('given an answer that breaks its contract, then it is refused as invalid', async () => {
    await expect(
      placementCommandFrom(message('payments', 'PaymentDeclined', { orderId }), t(1)),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  // The README's sketch of the saga (region placement-in-short), run.
  it("given a started placement, when catalog's StockReserved arrives, then it becomes a command the decider records", async () => {
    const answer = message('catalog', 'StockReserved', {
      orderId,
      lines: [{ sku: 'tea', quantity: 2 }],
    });
    const now = new Date(t(1));
    // #region placement-in-short
    const placement = createPlacementDecider({ paymentTimeoutMs: 30_000 });
    // An answer from another service becomes the saga's command, at the wiring's clock.
    const command = await placementCommandFrom(answer, now.toISOString());
    // The wiring records it on placement-<orderId> in the inbox's transaction
    // (recordPlacement); the decider alone, given the placement so far:
    deciderSpec(placement)
      .given(started())
      .when(command!)
      .then([stockReserved(t(1))]);
    // #endregion placement-in-short
  });
});
