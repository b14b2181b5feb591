import type { ExpectedVersion, StreamName } from '@duet/core';
import type { ProductState } from './product-decider.ts';
import type { ProductEvent } from './product-events.ts';
import type { RefusalReason, StockReservationEvent } from './stock-reservation-events.ts';
import type { StockReservationState } from './stock-reservation-state.ts';

/** A stream's folded state and the version it was read at (0: no stream yet). */
export interface Versioned<S> {
  readonly state: S;
  readonly version: number;
}

/**
 * What a planner decides on: the order's reservation stream and every product stream it
 * touches, each read with its version (`skusToLoad` says which products).
 */
export interface StockStates {
  readonly reservation: Versioned<StockReservationState>;
  /** By SKU. */
  readonly products: Readonly<Record<string, Versioned<ProductState>>>;
}

/** Events for one stream, appended only if the stream is still at `expectedVersion`. */
export interface StreamAppend {
  readonly stream: StreamName;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly (ProductEvent | StockReservationEvent)[];
}

/** The first line that could not be reserved, and why. */
export interface Refusal {
  readonly sku: string;
  readonly reason: RefusalReason;
  readonly message: string;
}

/**
 * A planner's decision. The wiring appends every entry of `appends` in ONE store
 * transaction, each with its `expectedVersion`; a `ConcurrencyError` means another
 * decision got there first: read the streams again and plan again. `unchanged` has no
 * appends: the request was already answered.
 */
export type StockPlan =
  | {
      readonly outcome: 'reserved' | 'released' | 'shipped';
      readonly appends: readonly StreamAppend[];
    }
  | {
      readonly outcome: 'refused';
      readonly appends: readonly StreamAppend[];
      readonly refusal: Refusal;
    }
  | { readonly outcome: 'unchanged'; readonly appends: readonly [] };

/**
 * The expected version of an append decided on a stream read at `version`: `no_stream`
 * for a stream that did not exist, so two first writers cannot both succeed.
 *
 * @example
 * expectedVersionOf(0) // 'no_stream'
 * expectedVersionOf(7) // 7
 */
export function expectedVersionOf(version: number): ExpectedVersion {
  return version === 0 ? 'no_stream' : version;
}
