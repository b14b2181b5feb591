import { type Decider, type StreamName, streamName } from '@duet/core';
import { decidePlacement } from './decide-placement.ts';
import type { PlacementCommand } from './placement-commands.ts';
import { placementFactEvents } from './placement-events.ts';
import { placementRequestEvents } from './placement-request-events.ts';
import {
  evolvePlacement,
  initialPlacementState,
  type PlacementEvent,
  type PlacementState,
} from './placement-state.ts';

/** What `createPlacementDecider` takes. */
export interface PlacementDeciderOptions {
  /**
   * How long payments has to authorize, in milliseconds, counted from the request.
   * Default 30 000; between 1 and 86 400 000 (a day).
   */
  readonly paymentTimeoutMs?: number;
}

const DEFAULT_PAYMENT_TIMEOUT_MS = 30_000;
const MAX_PAYMENT_TIMEOUT_MS = 86_400_000;

/** Every event type of the saga's streams, for the orders service's event registry. */
export const placementEvents = [...placementFactEvents, ...placementRequestEvents];

/**
 * The order-placement saga as a decider on `placement-<orderId>` (a pure process
 * manager): its events are its requests (the relay publishes them) and its outcome
 * (`orderCommandOf` turns that into the order's command).
 *
 * @example
 * const placement = createPlacementDecider({ paymentTimeoutMs: 10_000 });
 * defineCommandHandler({ decider: placement, commands: placementCommands, stream: (c) => placementStream(c.data.orderId) });
 */
export function createPlacementDecider(
  options: PlacementDeciderOptions = {},
): Decider<PlacementCommand, PlacementState, PlacementEvent> {
  const paymentTimeoutMs = options.paymentTimeoutMs ?? DEFAULT_PAYMENT_TIMEOUT_MS;
  if (
    !Number.isInteger(paymentTimeoutMs) ||
    paymentTimeoutMs < 1 ||
    paymentTimeoutMs > MAX_PAYMENT_TIMEOUT_MS
  ) {
    throw new TypeError(
      `placement option paymentTimeoutMs: expected whole milliseconds from 1 to ${MAX_PAYMENT_TIMEOUT_MS}, got ${paymentTimeoutMs}`,
    );
  }
  const rules = { paymentTimeoutMs };
  return {
    initialState: initialPlacementState,
    evolve: evolvePlacement,
    decide: (command, state) => decidePlacement(command, state, rules),
  };
}

/**
 * The stream of one order's placement saga.
 *
 * @example
 * placementStream('o-1'); // 'placement-o-1'
 */
export function placementStream(orderId: string): StreamName {
  return streamName('placement', orderId);
}
