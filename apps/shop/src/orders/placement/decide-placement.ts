import { DomainError } from '@duet/core';
import { cancelReason, compensatePlacement, releaseRequest } from './compensate-placement.ts';
import type { PlacementCommand } from './placement-commands.ts';
import { evolvePlacement, type PlacementEvent, type PlacementState } from './placement-state.ts';

/** The settings `decidePlacement` works with (validated by `createPlacementDecider`). */
export interface PlacementRules {
  /** How long payments has to answer, from the moment payment is requested. */
  readonly paymentTimeoutMs: number;
}

type Command<T extends PlacementCommand['type']> = Extract<PlacementCommand, { type: T }>;

const stockReasons: Readonly<Record<string, string>> = {
  OUT_OF_STOCK: 'out of stock',
  UNKNOWN_PRODUCT: 'unknown product',
  PRODUCT_DISCONTINUED: 'product discontinued',
};

/**
 * The saga's decision for one input. Every input is idempotent: a duplicate answer, a
 * late refusal and a timer for a saga that moved on record nothing; a late reservation
 * after cancellation records itself and asks for its own release.
 *
 * @example
 * decidePlacement(StartPlacement.create({ ... }), initialPlacementState(), { paymentTimeoutMs: 30_000 });
 * // [PlacementStarted, StockReservationRequested, CreditReservationRequested]
 */
export function decidePlacement(
  command: PlacementCommand,
  state: PlacementState,
  rules: PlacementRules,
): PlacementEvent[] {
  switch (command.type) {
    case 'StartPlacement':
      return start(command, state);
    case 'FirePlacementTimer':
      return fireTimer(command, state);
    case 'RecordOrderCancelled':
      return orderCancelled(command, state);
    case 'RecordOrderShipped':
      return orderShipped(command, state);
  }
  // Answers only come to requests this saga made, so one for a saga that never started
  // is a routing bug: refuse it loudly (a dead letter) rather than hold anything for it.
  if (state.phase === 'idle') {
    throw new DomainError(
      'PLACEMENT_NOT_STARTED',
      `${command.type}: no placement of order ${command.data.orderId} has started`,
    );
  }
  const { orderId, at } = command.data;
  switch (command.type) {
    case 'RecordStockReserved':
      return holdReserved(state, 'stock', rules, {
        type: 'PlacementStockReserved',
        data: { orderId, at },
      });
    case 'RecordCreditReserved': {
      const { amountCents } = command.data;
      return holdReserved(state, 'credit', rules, {
        type: 'PlacementCreditReserved',
        data: { orderId, amountCents, at },
      });
    }
    case 'RecordStockRefused': {
      const { sku, reason } = command.data;
      const why = `${stockReasons[reason] ?? `stock refused (${reason})`}: ${sku}`;
      return holdRefused(state, 'stock', 'STOCK_REFUSED', cancelReason(why, 'stock refused'), {
        type: 'PlacementStockRefused',
        data: { orderId, sku, reason, at },
      });
    }
    case 'RecordCreditRefused': {
      const { reason } = command.data;
      return holdRefused(
        state,
        'credit',
        'CREDIT_REFUSED',
        cancelReason(`credit refused: ${reason}`, 'credit refused'),
        {
          type: 'PlacementCreditRefused',
          data: { orderId, reason, at },
        },
      );
    }
    case 'RecordPaymentAuthorized':
      return paymentAuthorized(command, state);
    case 'RecordPaymentDeclined':
      return paymentDeclined(command, state);
  }
}

function holdReserved(
  state: PlacementState,
  hold: 'stock' | 'credit',
  rules: PlacementRules,
  recorded: Extract<PlacementEvent, { type: 'PlacementStockReserved' | 'PlacementCreditReserved' }>,
): PlacementEvent[] {
  if (state[hold] === 'reserved' || state[hold] === 'releasing') return [];
  const { at } = recorded.data;
  const next = evolvePlacement(state, recorded);
  if (state.phase === 'cancelled') return [recorded, releaseRequest(hold, next, at)];
  return [recorded, ...(bothHeld(next) ? requestPayment(next, at, rules) : [])];
}

function holdRefused(
  state: PlacementState,
  hold: 'stock' | 'credit',
  code: 'STOCK_REFUSED' | 'CREDIT_REFUSED',
  reason: string,
  recorded: Extract<PlacementEvent, { type: 'PlacementStockRefused' | 'PlacementCreditRefused' }>,
): PlacementEvent[] {
  // A refusal after a reservation contradicts it: keep the hold, release it as usual.
  if (state[hold] !== 'pending' || state.phase !== 'reserving') return [];
  const next = evolvePlacement(state, recorded);
  return [recorded, ...compensatePlacement(next, code, reason, recorded.data.at)];
}

function bothHeld(state: PlacementState): boolean {
  return state.stock === 'reserved' && state.credit === 'reserved';
}

function start(command: Command<'StartPlacement'>, state: PlacementState): PlacementEvent[] {
  if (state.phase !== 'idle') return [];
  const { orderId, customerId, lines, totalCents, at } = command.data;
  return [
    { type: 'PlacementStarted', data: { orderId, customerId, lines, totalCents, at } },
    // Stock and credit are independent: ask both at once, and pay only once both hold.
    { type: 'StockReservationRequested', data: { orderId, lines, at } },
    {
      type: 'CreditReservationRequested',
      data: { orderId, customerId, amountCents: totalCents, at },
    },
  ];
}

function requestPayment(state: PlacementState, at: string, rules: PlacementRules) {
  const orderId = state.orderId ?? '';
  const customerId = state.customerId ?? '';
  const dueAt = new Date(Date.parse(at) + rules.paymentTimeoutMs).toISOString();
  return [
    {
      type: 'PaymentAuthorizationRequested',
      data: { orderId, customerId, amountCents: state.totalCents, at },
    },
    { type: 'PlacementTimerScheduled', data: { orderId, kind: 'payment-timeout', dueAt, at } },
  ] satisfies PlacementEvent[];
}

// Payment is asked for only once stock and credit hold, so any payment answer before
// that answers a request this saga never made.
function requirePaymentRequested(state: PlacementState, orderId: string): void {
  if (state.payment === 'not-requested') {
    throw new DomainError('PAYMENT_NOT_REQUESTED', `no payment was requested for order ${orderId}`);
  }
}

function paymentAuthorized(
  command: Command<'RecordPaymentAuthorized'>,
  state: PlacementState,
): PlacementEvent[] {
  const { orderId, paymentId, amountCents, at } = command.data;
  requirePaymentRequested(state, orderId);
  if (state.payment === 'authorized' || state.payment === 'voiding') return [];
  const recorded: PlacementEvent = {
    type: 'PlacementPaymentAuthorized',
    data: { orderId, paymentId, amountCents, at },
  };
  // Too late (timed out, or the order was cancelled): the money is held for nothing.
  if (state.phase === 'cancelled') {
    return [recorded, releaseRequest('payment', evolvePlacement(state, recorded), at)];
  }
  return [recorded, { type: 'PlacementConfirmed', data: { orderId, at } }];
}

function paymentDeclined(
  command: Command<'RecordPaymentDeclined'>,
  state: PlacementState,
): PlacementEvent[] {
  const { orderId, reason, at } = command.data;
  requirePaymentRequested(state, orderId);
  if (state.payment !== 'pending' || state.phase !== 'authorizing') return [];
  const recorded: PlacementEvent = {
    type: 'PlacementPaymentDeclined',
    data: { orderId, reason, at },
  };
  const why = cancelReason(`payment declined: ${reason}`, 'payment declined');
  return [
    recorded,
    ...compensatePlacement(evolvePlacement(state, recorded), 'PAYMENT_DECLINED', why, at),
  ];
}

// The poller fires at least once and may fire after the saga settled: only a timeout that
// still waits on payments counts.
function fireTimer(command: Command<'FirePlacementTimer'>, state: PlacementState) {
  const { orderId, kind, at } = command.data;
  if (state.phase !== 'authorizing' || state.paymentDueAt === null) return [];
  const fired: PlacementEvent = { type: 'PlacementTimerFired', data: { orderId, kind, at } };
  const next = evolvePlacement(state, fired);
  return [fired, ...compensatePlacement(next, 'PAYMENT_TIMED_OUT', 'payment timed out', at)];
}

// A confirmed order shipped: the stock leaves, the payment is captured and the credit hold
// ends (the sale is paid). Anything else (shipped again, never confirmed) records nothing.
function orderShipped(
  command: Command<'RecordOrderShipped'>,
  state: PlacementState,
): PlacementEvent[] {
  if (state.phase !== 'confirmed') return [];
  const { orderId, at } = command.data;
  return [
    { type: 'StockShipmentRequested', data: { orderId, at } },
    { type: 'PaymentCaptureRequested', data: { orderId, at } },
    {
      type: 'CreditReleaseRequested',
      data: { orderId, customerId: state.customerId ?? '', reason: 'order shipped', at },
    },
    { type: 'PlacementShipped', data: { orderId, at } },
  ];
}

// The saga's own CancelOrder comes back here as well: by then it is cancelled already. A
// confirmed order cancelled later (undo, by its customer or staff) gives back all it holds:
// compensation is more events, nothing is deleted.
function orderCancelled(command: Command<'RecordOrderCancelled'>, state: PlacementState) {
  if (state.phase !== 'reserving' && state.phase !== 'authorizing' && state.phase !== 'confirmed')
    return [];
  const { reason, at } = command.data;
  const why = cancelReason(`order cancelled: ${reason}`, 'order cancelled');
  return compensatePlacement(state, 'ORDER_CANCELLED', why, at);
}
