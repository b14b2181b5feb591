import { type StreamName, streamName } from '@duet/core';
import type { StockLine, StockReservationEvent } from './stock-reservation-events.ts';

/**
 * Where one order's reservation stands. Every status but `none` is an answer already
 * given, so a repeated request changes nothing; `released` and `refused` are final.
 */
export type StockReservationStatus = 'none' | 'reserved' | 'refused' | 'released' | 'shipped';

export interface StockReservationState {
  readonly status: StockReservationStatus;
  /** What the order holds (or held, once shipped or released). */
  readonly lines: readonly StockLine[];
}

/**
 * The reservation stream of one order: `stock_reservation-<orderId>`.
 *
 * @example
 * stockReservationStream('o-1') // 'stock_reservation-o-1'
 */
export function stockReservationStream(orderId: string): StreamName {
  return streamName('stock_reservation', orderId);
}

/**
 * Folds an order's reservation events; use with `foldEvents`. No `decide` of its own:
 * the planners decide, because every decision also needs the products' states.
 *
 * @example
 * const state = foldEvents(stockReservationEvolver, events);
 */
export const stockReservationEvolver = {
  initialState: (): StockReservationState => ({ status: 'none', lines: [] }),
  evolve(state: StockReservationState, event: StockReservationEvent): StockReservationState {
    switch (event.type) {
      case 'StockReservationMade':
        return { status: 'reserved', lines: event.data.lines };
      case 'StockReservationRefused':
        return { ...state, status: 'refused' };
      case 'StockReservationReleased':
        return { ...state, status: 'released' };
      case 'StockReservationShipped':
        return { ...state, status: 'shipped' };
    }
  },
};
