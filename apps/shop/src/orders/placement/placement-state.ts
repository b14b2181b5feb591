import type { CancellationCode, PlacementFactEvent } from './placement-events.ts';
import type { PlacementRequestEvent } from './placement-request-events.ts';

/** Every event on a `placement-<orderId>` stream: the saga's facts and its requests. */
export type PlacementEvent = PlacementFactEvent | PlacementRequestEvent;

/**
 * Where the placement is. `reserving`: stock and credit asked for; `authorizing`: both
 * held, payment asked for; `confirmed` until the order ships or is cancelled (undo);
 * `shipped` and `cancelled` are final. Compensation has no phase of its own: it starts and
 * ends within one decision.
 */
export type PlacementPhase =
  | 'idle'
  | 'reserving'
  | 'authorizing'
  | 'confirmed'
  | 'shipped'
  | 'cancelled';

/**
 * A stock or credit hold. `releasing` means it was reserved and its release is requested,
 * which is what makes every release happen once.
 */
export type HoldStatus =
  | 'not-requested'
  | 'pending'
  | 'reserved'
  | 'refused'
  | 'releasing'
  | 'shipping';

/** The payment, with `voiding` (`capturing`) for an authorization whose void (capture) is requested. */
export type PaymentStatus =
  | 'not-requested'
  | 'pending'
  | 'authorized'
  | 'declined'
  | 'voiding'
  | 'capturing';

/** The saga's state: plain data, so it snapshots as JSON. */
export interface PlacementState {
  readonly phase: PlacementPhase;
  readonly orderId: string | null;
  readonly customerId: string | null;
  readonly totalCents: number;
  readonly stock: HoldStatus;
  readonly credit: HoldStatus;
  readonly payment: PaymentStatus;
  /** When the pending payment timeout fires; null once it no longer matters. */
  readonly paymentDueAt: string | null;
  /** Why it was cancelled (set when compensation starts). */
  readonly cancellation: { readonly code: CancellationCode; readonly reason: string } | null;
}

/**
 * The state of a placement that has not started.
 *
 * @example
 * foldEvents({ initialState: initialPlacementState, evolve: evolvePlacement }, events);
 */
export function initialPlacementState(): PlacementState {
  return {
    phase: 'idle',
    orderId: null,
    customerId: null,
    totalCents: 0,
    stock: 'not-requested',
    credit: 'not-requested',
    payment: 'not-requested',
    paymentDueAt: null,
    cancellation: null,
  };
}

/**
 * One event applied to the saga's state. Each event moves only its own part, so the state
 * after any history is the plain sum of what was recorded.
 *
 * @example
 * evolvePlacement(initialPlacementState(), started).phase; // 'reserving'
 */
export function evolvePlacement(state: PlacementState, event: PlacementEvent): PlacementState {
  switch (event.type) {
    case 'PlacementStarted': {
      const { orderId, customerId, totalCents } = event.data;
      return { ...state, phase: 'reserving', orderId, customerId, totalCents };
    }
    case 'StockReservationRequested':
      return { ...state, stock: 'pending' };
    case 'CreditReservationRequested':
      return { ...state, credit: 'pending' };
    case 'PlacementStockReserved':
      return { ...state, stock: 'reserved' };
    case 'PlacementStockRefused':
      return { ...state, stock: 'refused' };
    case 'PlacementCreditReserved':
      return { ...state, credit: 'reserved' };
    case 'PlacementCreditRefused':
      return { ...state, credit: 'refused' };
    case 'PaymentAuthorizationRequested':
      return { ...state, phase: 'authorizing', payment: 'pending' };
    case 'PlacementTimerScheduled':
      return { ...state, paymentDueAt: event.data.dueAt };
    case 'PlacementPaymentAuthorized':
      return { ...state, payment: 'authorized' };
    case 'PlacementPaymentDeclined':
      return { ...state, payment: 'declined' };
    case 'PlacementTimerFired':
      return { ...state, paymentDueAt: null };
    case 'PlacementConfirmed':
      return { ...state, phase: 'confirmed', paymentDueAt: null };
    case 'PlacementCompensationStarted':
      return { ...state, cancellation: { code: event.data.code, reason: event.data.reason } };
    case 'StockReleaseRequested':
      return { ...state, stock: 'releasing' };
    case 'CreditReleaseRequested':
      return { ...state, credit: 'releasing' };
    case 'PaymentVoidRequested':
      return { ...state, payment: 'voiding' };
    case 'StockShipmentRequested':
      return { ...state, stock: 'shipping' };
    case 'PaymentCaptureRequested':
      return { ...state, payment: 'capturing' };
    case 'PlacementShipped':
      return { ...state, phase: 'shipped' };
    case 'PlacementCancelled': {
      const cancellation = { code: event.data.code, reason: event.data.reason };
      return { ...state, phase: 'cancelled', paymentDueAt: null, cancellation };
    }
  }
}
