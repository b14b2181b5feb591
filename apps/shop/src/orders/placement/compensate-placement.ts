import type { CancellationCode } from './placement-events.ts';
import type { PlacementEvent, PlacementState } from './placement-state.ts';

/** What can be held for an order, and so must be given back when it is not placed. */
export type Hold = 'stock' | 'credit' | 'payment';

// Cancel reasons end up in CancelOrder (at most 500 characters) and in the release
// requests: cut here once rather than fail a compensation later.
const MAX_REASON_LENGTH = 500;

/**
 * A reason fit for a cancellation: trimmed, never empty, at most 500 characters.
 *
 * @example
 * cancelReason('  ', 'payment declined'); // 'payment declined'
 */
export function cancelReason(text: string, fallback: string): string {
  return (text.trim() || fallback).slice(0, MAX_REASON_LENGTH);
}

/**
 * The request that gives one hold back. Used when compensating and when a reservation
 * turns up after the saga was cancelled.
 *
 * @example
 * releaseRequest('stock', state, at); // { type: 'StockReleaseRequested', data: { orderId, reason, at } }
 */
export function releaseRequest(hold: Hold, state: PlacementState, at: string): PlacementEvent {
  const orderId = state.orderId ?? '';
  const reason = state.cancellation?.reason ?? 'order not placed';
  switch (hold) {
    case 'stock':
      return { type: 'StockReleaseRequested', data: { orderId, reason, at } };
    case 'credit': {
      const customerId = state.customerId ?? '';
      return { type: 'CreditReleaseRequested', data: { orderId, customerId, reason, at } };
    }
    case 'payment':
      return { type: 'PaymentVoidRequested', data: { orderId, reason, at } };
  }
}

/**
 * Undo what is held and cancel: compensation started, one release request per hold that
 * is reserved (not one still pending: its late answer asks for its own release), and the
 * cancellation. Call with the state that already includes the answer that failed.
 *
 * @example
 * compensatePlacement(state, 'STOCK_REFUSED', 'out of stock: tea', at);
 */
export function compensatePlacement(
  state: PlacementState,
  code: CancellationCode,
  reason: string,
  at: string,
): PlacementEvent[] {
  const orderId = state.orderId ?? '';
  const cancelling: PlacementState = { ...state, cancellation: { code, reason } };
  const releases: PlacementEvent[] = [];
  if (state.stock === 'reserved') releases.push(releaseRequest('stock', cancelling, at));
  if (state.credit === 'reserved') releases.push(releaseRequest('credit', cancelling, at));
  if (state.payment === 'authorized') releases.push(releaseRequest('payment', cancelling, at));
  return [
    { type: 'PlacementCompensationStarted', data: { orderId, code, reason, at } },
    ...releases,
    { type: 'PlacementCancelled', data: { orderId, code, reason, at } },
  ];
}
