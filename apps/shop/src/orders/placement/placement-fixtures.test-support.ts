// Events of one placement (order o-1, ada, 9.00) for the saga's tests, named by what
// they say, so a spec's given/then reads as the story.
import type { CancellationCode } from './placement-events.ts';
import type { PlacementEvent } from './placement-state.ts';

export const orderId = 'o-1';
export const customerId = 'ada';
export const lines = [
  { sku: 'tea', quantity: 2, unitPriceCents: 300 },
  { sku: 'mug', quantity: 1, unitPriceCents: 300 },
];
export const totalCents = 900;
export const paymentTimeoutMs = 30_000;

/** `t(5)`: five seconds after the placement started. */
export function t(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1, 10, 0, seconds)).toISOString();
}

export const started = (at = t(0)): PlacementEvent[] => [
  { type: 'PlacementStarted', data: { orderId, customerId, lines, totalCents, at } },
  { type: 'StockReservationRequested', data: { orderId, lines, at } },
  {
    type: 'CreditReservationRequested',
    data: { orderId, customerId, amountCents: totalCents, at },
  },
];
export const stockReserved = (at = t(1)): PlacementEvent => ({
  type: 'PlacementStockReserved',
  data: { orderId, at },
});
export const creditReserved = (at = t(1)): PlacementEvent => ({
  type: 'PlacementCreditReserved',
  data: { orderId, amountCents: totalCents, at },
});
export const paymentRequested = (at = t(2)): PlacementEvent[] => [
  {
    type: 'PaymentAuthorizationRequested',
    data: { orderId, customerId, amountCents: totalCents, at },
  },
  {
    type: 'PlacementTimerScheduled',
    data: {
      orderId,
      kind: 'payment-timeout',
      dueAt: new Date(Date.parse(at) + paymentTimeoutMs).toISOString(),
      at,
    },
  },
];
export const paymentAuthorized = (at = t(3)): PlacementEvent => ({
  type: 'PlacementPaymentAuthorized',
  data: { orderId, paymentId: 'payment-o-1', amountCents: totalCents, at },
});
export const confirmed = (at = t(3)): PlacementEvent => ({
  type: 'PlacementConfirmed',
  data: { orderId, at },
});

/** Stock and credit held, payment asked for: the saga waits on payments. */
export const authorizing = (): PlacementEvent[] => [
  ...started(),
  stockReserved(t(1)),
  creditReserved(t(2)),
  ...paymentRequested(t(2)),
];

/** Compensation: started, the given release requests, cancelled. */
export function compensation(
  code: CancellationCode,
  reason: string,
  releases: readonly ('stock' | 'credit' | 'payment')[],
  at: string,
): PlacementEvent[] {
  const requests: Record<(typeof releases)[number], PlacementEvent> = {
    stock: { type: 'StockReleaseRequested', data: { orderId, reason, at } },
    credit: { type: 'CreditReleaseRequested', data: { orderId, customerId, reason, at } },
    payment: { type: 'PaymentVoidRequested', data: { orderId, reason, at } },
  };
  return [
    { type: 'PlacementCompensationStarted', data: { orderId, code, reason, at } },
    ...releases.map((hold) => requests[hold]),
    { type: 'PlacementCancelled', data: { orderId, code, reason, at } },
  ];
}
