import { foldEvents } from '@duet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FirePlacementTimer,
  type PlacementCommand,
  RecordCreditRefused,
  RecordCreditReserved,
  RecordPaymentAuthorized,
  RecordPaymentDeclined,
  RecordStockRefused,
  RecordStockReserved,
  StartPlacement,
} from './placement-commands.ts';
import { createPlacementDecider } from './placement-decider.ts';
import {
  customerId,
  lines,
  orderId,
  paymentTimeoutMs,
  t,
  totalCents,
} from './placement-fixtures.test-support.ts';
import type { PlacementEvent } from './placement-state.ts';

// A simulated network: every request the saga makes puts its answer on the wire (the
// timer poller's firing too), and each step delivers any message on the wire, leaving it
// there or not (a redelivery later). Answers only follow their requests, as in the
// system; everything else (order, duplication, lateness) is left to fast-check.

const decider = createPlacementDecider({ paymentTimeoutMs });

interface Outcomes {
  readonly stock: boolean;
  readonly credit: boolean;
  readonly payment: boolean;
}

function answersTo(event: PlacementEvent, outcomes: Outcomes, at: string): PlacementCommand[] {
  switch (event.type) {
    case 'StockReservationRequested':
      return [
        outcomes.stock
          ? RecordStockReserved.create({ orderId, at })
          : RecordStockRefused.create({ orderId, sku: 'tea', reason: 'OUT_OF_STOCK', at }),
      ];
    case 'CreditReservationRequested':
      return [
        outcomes.credit
          ? RecordCreditReserved.create({ orderId, amountCents: totalCents, at })
          : RecordCreditRefused.create({ orderId, reason: 'CREDIT_LIMIT_EXCEEDED', at }),
      ];
    case 'PaymentAuthorizationRequested':
      return [
        outcomes.payment
          ? RecordPaymentAuthorized.create({
              orderId,
              paymentId: 'p-1',
              amountCents: totalCents,
              at,
            })
          : RecordPaymentDeclined.create({ orderId, reason: 'insufficient funds', at }),
      ];
    case 'PlacementTimerScheduled':
      return [FirePlacementTimer.create({ orderId, kind: 'payment-timeout', at })];
    default:
      return [];
  }
}

function simulate(outcomes: Outcomes, steps: readonly { pick: number; keep: boolean }[]) {
  const history: PlacementEvent[] = [];
  const wire: PlacementCommand[] = [];
  const delivered: PlacementCommand[] = [];
  let clock = 0;
  const deliver = (command: PlacementCommand) => {
    const decided = decider.decide(command, foldEvents(decider, history), { roles: [] });
    const events = Array.isArray(decided) ? decided : [decided];
    history.push(...events);
    for (const event of events) wire.push(...answersTo(event, outcomes, t(++clock)));
  };
  deliver(StartPlacement.create({ orderId, customerId, lines, totalCents, at: t(0) }));
  for (const { pick, keep } of steps) {
    if (wire.length === 0) break;
    const index = pick % wire.length;
    const message = wire[index]!;
    if (!keep) wire.splice(index, 1);
    delivered.push(message);
    deliver(message);
  }
  // Everything on the wire arrives in the end, then every message once more, late.
  while (wire.length > 0) {
    const message = wire.shift()!;
    delivered.push(message);
    deliver(message);
  }
  for (const message of [...delivered].reverse()) deliver(message);
  return history;
}

const count = (history: readonly PlacementEvent[], type: PlacementEvent['type']) =>
  history.filter((event) => event.type === type).length;

describe('the placement saga settles once', () => {
  it('given any interleaving and duplication of the answers, then it is confirmed or cancelled exactly once, and every reservation recorded is released exactly once on cancel', () => {
    const outcomes = fc.record({
      stock: fc.boolean(),
      credit: fc.boolean(),
      payment: fc.boolean(),
    });
    const steps = fc.array(fc.record({ pick: fc.nat(), keep: fc.boolean() }), { maxLength: 30 });
    fc.assert(
      fc.property(outcomes, steps, (outcome, schedule) => {
        const history = simulate(outcome, schedule);
        const confirmedCount = count(history, 'PlacementConfirmed');
        const cancelledCount = count(history, 'PlacementCancelled');
        expect(confirmedCount + cancelledCount).toBe(1);

        const held = {
          stock: count(history, 'PlacementStockReserved'),
          credit: count(history, 'PlacementCreditReserved'),
          payment: count(history, 'PlacementPaymentAuthorized'),
        };
        const released = {
          stock: count(history, 'StockReleaseRequested'),
          credit: count(history, 'CreditReleaseRequested'),
          payment: count(history, 'PaymentVoidRequested'),
        };
        for (const times of Object.values(held)) expect(times).toBeLessThanOrEqual(1);

        if (cancelledCount === 1) {
          expect(released).toEqual(held);
        } else {
          expect(outcome).toEqual({ stock: true, credit: true, payment: true });
          expect(held).toEqual({ stock: 1, credit: 1, payment: 1 });
          expect(released).toEqual({ stock: 0, credit: 0, payment: 0 });
        }
        if (!outcome.stock || !outcome.credit || !outcome.payment) expect(cancelledCount).toBe(1);
      }),
      { numRuns: 300 },
    );
  });
});
