import type { PlacementEvent } from './placement-state.ts';

/** One line of a saga's timeline. */
export interface SagaTimelineEntry {
  /** When the saga recorded it (ISO 8601). */
  readonly at: string;
  /** What happened, in a few stable words: `stock reserved`, `payment timed out`. */
  readonly step: string;
  /** The particulars, for people: amounts, reasons, deadlines. */
  readonly detail: string;
}

const money = (cents: number) => (cents / 100).toFixed(2);

function describe(event: PlacementEvent): [step: string, detail: string] {
  switch (event.type) {
    case 'PlacementStarted': {
      const { customerId, lines, totalCents } = event.data;
      const units = lines.reduce((sum, line) => sum + line.quantity, 0);
      return [
        'placement started',
        `${units} units of ${lines.length} products for ${customerId}, total ${money(totalCents)}`,
      ];
    }
    case 'StockReservationRequested':
      return [
        'stock requested',
        event.data.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', '),
      ];
    case 'CreditReservationRequested':
      return ['credit requested', money(event.data.amountCents)];
    case 'PlacementStockReserved':
      return ['stock reserved', ''];
    case 'PlacementStockRefused':
      return ['stock refused', `${event.data.reason} (${event.data.sku})`];
    case 'PlacementCreditReserved':
      return ['credit reserved', money(event.data.amountCents)];
    case 'PlacementCreditRefused':
      return ['credit refused', event.data.reason];
    case 'PaymentAuthorizationRequested':
      return ['payment requested', money(event.data.amountCents)];
    case 'PlacementTimerScheduled':
      return ['timer scheduled', `${event.data.kind} due ${event.data.dueAt}`];
    case 'PlacementPaymentAuthorized':
      return ['payment authorized', `${money(event.data.amountCents)} (${event.data.paymentId})`];
    case 'PlacementPaymentDeclined':
      return ['payment declined', event.data.reason];
    case 'PlacementTimerFired':
      return ['timer fired', event.data.kind];
    case 'PlacementConfirmed':
      return ['confirmed', ''];
    case 'PlacementCompensationStarted':
      return ['compensation started', `${event.data.code}: ${event.data.reason}`];
    case 'StockReleaseRequested':
      return ['stock release requested', event.data.reason];
    case 'CreditReleaseRequested':
      return ['credit release requested', event.data.reason];
    case 'PaymentVoidRequested':
      return ['payment void requested', event.data.reason];
    case 'PlacementCancelled':
      return ['cancelled', `${event.data.code}: ${event.data.reason}`];
    case 'StockShipmentRequested':
      return ['stock shipment requested', ''];
    case 'PaymentCaptureRequested':
      return ['payment capture requested', ''];
    case 'PlacementShipped':
      return ['shipped', ''];
  }
}

/**
 * A placement's history as lines people read, in the order recorded: for
 * `duet saga show` now and the console later.
 *
 * @example
 * sagaTimeline(events);
 * // [{ at: '2025-01-01T10:00:00.000Z', step: 'placement started', detail: '3 units of 2 products for ada, total 21.00' }, ...]
 */
export function sagaTimeline(events: Iterable<PlacementEvent>): SagaTimelineEntry[] {
  const timeline: SagaTimelineEntry[] = [];
  for (const event of events) {
    const [step, detail] = describe(event);
    timeline.push({ at: event.data.at, step, detail });
  }
  return timeline;
}
