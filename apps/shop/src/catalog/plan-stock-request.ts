import type { DecisionContext } from '@duet/core';
import { planRelease } from './plan-release.ts';
import { mergeLines, planReservation } from './plan-reservation.ts';
import { planShipment } from './plan-shipment.ts';
import type { StockPlan, StockStates } from './stock-plan.ts';
import type { StockRequest } from './stock-request.ts';
import type { StockReservationState } from './stock-reservation-state.ts';

/**
 * The product streams a request needs read, after its reservation stream: a reservation
 * needs its lines' products; a release or shipment the products the order holds.
 *
 * @example
 * const reservation = await load(stockReservationStream(request.orderId));
 * const products = await loadAll(skusToLoad(request, reservation.state));
 */
export function skusToLoad(request: StockRequest, reservation: StockReservationState): string[] {
  if (request.kind === 'reserve') {
    // An answered request plans nothing, so it needs nothing read.
    return reservation.status === 'none' ? mergeLines(request.lines).map((line) => line.sku) : [];
  }
  return reservation.status === 'reserved' ? reservation.lines.map((line) => line.sku) : [];
}

/**
 * Plans any stock request: the one call the wiring makes per message, between reading
 * the streams and appending the plan in one transaction. Pass `SYSTEM_CONTEXT`.
 *
 * @example
 * const plan = planStockRequest(request, { reservation, products }, SYSTEM_CONTEXT);
 * await store.transaction(async (tx) => { for (const a of plan.appends) await tx.append(a.stream, a.events, { expectedVersion: a.expectedVersion }); });
 */
export function planStockRequest(
  request: StockRequest,
  states: StockStates,
  context: DecisionContext,
): StockPlan {
  switch (request.kind) {
    case 'reserve':
      return planReservation(request, states, context);
    case 'release':
      return planRelease(request, states, context);
    case 'ship':
      return planShipment(request, states, context);
  }
}
