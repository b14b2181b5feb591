import { ConcurrencyError, foldEvents } from '@duet/core';
import { matchesExpectedVersion } from '@duet/core/adapters';
import { skusToLoad } from './plan-stock-request.ts';
import { productDecider, productStream } from './product-decider.ts';
import type { ProductEvent } from './product-events.ts';
import type { StockPlan, StockStates } from './stock-plan.ts';
import type { StockRequest } from './stock-request.ts';
import type { StockReservationEvent } from './stock-reservation-events.ts';
import { stockReservationEvolver, stockReservationStream } from './stock-reservation-state.ts';

type AnyEvent = ProductEvent | StockReservationEvent;

/** The streams a test plays the store for: reads and all-or-nothing, version-checked commits. */
export interface StockStreams {
  /** Appends without a check: the history a test starts from. */
  seed(stream: string, events: readonly AnyEvent[]): void;
  /** Reads what a request needs, as the wiring would (`skusToLoad`). */
  statesFor(request: StockRequest): StockStates;
  /** Commits every append of a plan, or none and throws `ConcurrencyError`, as one store transaction. */
  commit(plan: StockPlan): void;
  product(sku: string): ReturnType<typeof productDecider.initialState>;
}

/**
 * An in-memory stand-in for the wiring's event store, for tests of the planners.
 *
 * @example
 * const streams = createStockStreams();
 * streams.commit(planStockRequest(request, streams.statesFor(request), SYSTEM_CONTEXT));
 */
export function createStockStreams(): StockStreams {
  const streams = new Map<string, AnyEvent[]>();
  const read = (stream: string) => streams.get(stream) ?? [];
  const product = (sku: string) => {
    const events = read(productStream(sku)) as ProductEvent[];
    return { state: foldEvents(productDecider, events), version: events.length };
  };
  return {
    seed: (stream, events) => void streams.set(stream, [...read(stream), ...events]),
    statesFor(request) {
      const events = read(stockReservationStream(request.orderId)) as StockReservationEvent[];
      const reservation = {
        state: foldEvents(stockReservationEvolver, events),
        version: events.length,
      };
      const skus = skusToLoad(request, reservation.state);
      return { reservation, products: Object.fromEntries(skus.map((sku) => [sku, product(sku)])) };
    },
    commit(plan) {
      for (const { stream, expectedVersion } of plan.appends) {
        const actual = read(stream).length;
        if (!matchesExpectedVersion(expectedVersion, actual)) {
          throw new ConcurrencyError(stream, expectedVersion, actual);
        }
      }
      for (const { stream, events } of plan.appends)
        streams.set(stream, [...read(stream), ...events]);
    },
    product: (sku) => product(sku).state,
  };
}
