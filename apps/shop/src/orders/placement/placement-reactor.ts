import { defineReactor, type ReactorDefinition, type RecordedEvent } from '@duet/core';
import { OrderCancelled, type OrderEvent, OrderPlaced, OrderShipped } from '../order-events.ts';
import { placementCommandFromOrderEvent } from './placement-command-from.ts';
import { type PlacementRecorder, recordPlacement } from './record-placement.ts';
import { metadataFromEvent } from './saga-metadata.ts';
import { storeTransactionOf } from './store-transaction-executor.ts';

/** Options of `createPlacementReactor`. */
export interface PlacementReactorOptions extends PlacementRecorder {
  /** The wiring's clock: the `at` of each saga command. */
  readonly clock: () => Date;
  /** Default `placement_saga`. */
  readonly name?: string;
}

/**
 * The reactor that starts and stops placements from the orders store's own events:
 * `OrderPlaced` → `StartPlacement`, `OrderCancelled` → `RecordOrderCancelled`. Its `tx`
 * must be a store transaction (run it with `readModels: storeTransactionExecutor(store)`):
 * the saga's events, their timers and the reactor's inbox row and checkpoint then commit
 * as one, so an order starts its saga exactly once, whatever crashes or rebuilds.
 *
 * @example
 * openProcessors({ store, readModels: storeTransactionExecutor(store), schema: 'orders_placement',
 *   processors: [createPlacementReactor({ store, decider, clock: () => new Date() })] });
 */
export function createPlacementReactor(options: PlacementReactorOptions): ReactorDefinition {
  const { clock } = options;
  return defineReactor<RecordedEvent<OrderEvent>>({
    name: options.name ?? 'placement_saga',
    events: [OrderPlaced, OrderCancelled, OrderShipped],
    async handle(event, { tx }) {
      const command = placementCommandFromOrderEvent(event, clock().toISOString());
      if (!command) return;
      await recordPlacement(options, storeTransactionOf(tx), command, metadataFromEvent(event));
    },
  }) as ReactorDefinition;
}
