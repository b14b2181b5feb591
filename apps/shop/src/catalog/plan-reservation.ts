import { type DecisionContext, DomainError, NotFoundError } from '@duet/core';
import { decideForProduct } from './decide-for-product.ts';
import { ReserveStock } from './product-commands.ts';
import type { Refusal, StockPlan, StockStates, StreamAppend } from './stock-plan.ts';
import { expectedVersionOf } from './stock-plan.ts';
import type { RefusalReason, StockLine } from './stock-reservation-events.ts';
import { stockReservationStream } from './stock-reservation-state.ts';

/** What the placement saga asks to reserve: every line, all or nothing. */
export interface ReservationRequest {
  readonly orderId: string;
  readonly lines: readonly StockLine[];
}

/**
 * The lines with one entry per SKU, in first-seen order: two lines of one SKU are one
 * reservation on its stream (and one refusal, if together they are too many).
 *
 * @example
 * mergeLines([{ sku: 'tea', quantity: 1 }, { sku: 'tea', quantity: 2 }]) // [{ sku: 'tea', quantity: 3 }]
 */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

// The decider's refusals a saga can act on become an answer; anything else (a role
// missing, a mismatched redelivery) is a bug in the wiring and is thrown.
function refusalOf(error: unknown, sku: string): Refusal | undefined {
  let reason: RefusalReason | undefined;
  if (error instanceof NotFoundError) reason = 'UNKNOWN_PRODUCT';
  else if (error instanceof DomainError && error.rule === 'OUT_OF_STOCK') reason = 'OUT_OF_STOCK';
  else if (error instanceof DomainError && error.rule === 'PRODUCT_DISCONTINUED') {
    reason = 'PRODUCT_DISCONTINUED';
  }
  return reason === undefined ? undefined : { sku, reason, message: (error as Error).message };
}

/**
 * Plans the reservation of an order's lines across their product streams, all or
 * nothing, with one answer on the order's reservation stream: `StockReservationMade`
 * with the product events, or `StockReservationRefused` naming the first SKU that is
 * unknown, discontinued or short. A request for an order already answered (reserved,
 * refused, released or shipped) plans nothing, so redeliveries reserve nothing twice.
 *
 * Stock never goes negative under concurrency because each product append carries the
 * version its state was read at: of two orders planned on the same state for the last
 * unit, the store commits one and throws `ConcurrencyError` for the other, whose retry
 * plans on the new state and is refused.
 *
 * @example
 * const plan = planReservation({ orderId: 'o-1', lines: [{ sku: 'tea', quantity: 2 }] }, states, SYSTEM_CONTEXT);
 * if (plan.outcome === 'refused') console.log(plan.refusal.sku, plan.refusal.reason);
 */
export function planReservation(
  request: ReservationRequest,
  states: StockStates,
  context: DecisionContext,
): StockPlan {
  const { orderId } = request;
  const { reservation } = states;
  if (reservation.state.status !== 'none') return { outcome: 'unchanged', appends: [] };
  const answer = (event: StreamAppend['events'][number]): StreamAppend => ({
    stream: stockReservationStream(orderId),
    expectedVersion: expectedVersionOf(reservation.version),
    events: [event],
  });
  const lines = mergeLines(request.lines);
  if (lines.length === 0) {
    // The orders service never places an empty order; an empty request is its bug.
    throw new DomainError('EMPTY_RESERVATION', `order ${orderId} asks to reserve no lines`, {
      orderId,
    });
  }
  const appends: StreamAppend[] = [];
  for (const { sku, quantity } of lines) {
    let append: StreamAppend | undefined;
    try {
      append = decideForProduct(ReserveStock.create({ sku, orderId, quantity }), states, context);
    } catch (error) {
      const refusal = refusalOf(error, sku);
      if (refusal === undefined) throw error;
      const refused = answer({ type: 'StockReservationRefused', data: { orderId, ...refusal } });
      return { outcome: 'refused', appends: [refused], refusal };
    }
    if (append !== undefined) appends.push(append);
  }
  appends.push(answer({ type: 'StockReservationMade', data: { orderId, lines } }));
  return { outcome: 'reserved', appends };
}
