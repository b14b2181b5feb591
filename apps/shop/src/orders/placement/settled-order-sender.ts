import {
  type CommandBus,
  contextOfTraceFields,
  DomainError,
  inSpan,
  type RecordedEvent,
  type RelayDefinition,
} from '@duet/core';
import { metrics } from '@opentelemetry/api';
import { orderCommandOf, PLACEMENT_SAGA_CONTEXT } from './order-command-of.ts';
import type { PlacementEvent } from './placement-state.ts';

// The order decider's refusal of a confirm or cancel in the wrong status (order-decider.ts).
const ORDER_STATUS_RULE = 'ORDER_STATUS';

/** Options of `createSettledOrderSender`. */
export interface SettledOrderSenderOptions {
  /** The orders command bus: ConfirmOrder and CancelOrder go through its policies and decider. */
  readonly commands: CommandBus;
  /** Default `placement_order_commands`. */
  readonly name?: string;
}

/**
 * Sends the order its command when the saga settles: `ConfirmOrder` on
 * `PlacementConfirmed`, `CancelOrder` on `PlacementCancelled` (`orderCommandOf`), as
 * `PLACEMENT_SAGA_CONTEXT`, caused by the saga's event.
 *
 * A processor of the relay kind, not a reactor, on purpose: a reactor's handler runs
 * inside the runner's transaction, and the bus appends in a transaction of its own; on
 * PGlite (one connection) that append would wait for the reactor's transaction forever.
 * A relay's sink runs before its checkpoint transaction, and the checkpoint moves only
 * once every command of the batch is done: at least once, across crashes and restarts.
 * Twice is harmless: the order refuses a second confirm or cancel with `ORDER_STATUS`,
 * which means the command took effect already.
 *
 * @example
 * openProcessors({ store, processors: [createSettledOrderSender({ commands: orders.commands })] });
 */
export function createSettledOrderSender(options: SettledOrderSenderOptions): RelayDefinition {
  const { commands } = options;
  return {
    kind: 'relay',
    name: options.name ?? 'placement_order_commands',
    version: 1,
    eventTypes: ['PlacementConfirmed', 'PlacementCancelled'],
    eventDefinitions: [],
    partitions: 1,
    onFailure: 'stop',
    async publish(events, { signal }) {
      for (const event of events) {
        signal.throwIfAborted();
        await send(commands, event as RecordedEvent<PlacementEvent>, signal);
      }
    },
  };
}

async function send(
  commands: CommandBus,
  event: RecordedEvent<PlacementEvent>,
  signal: AbortSignal,
) {
  const command = orderCommandOf(event);
  if (!command) return;
  try {
    // In the saga event's own trace (a batch's span continues only its first event's).
    await inSpan(
      `shop.saga settle ${event.type}`,
      { parent: contextOfTraceFields(event.metadata) },
      () =>
        commands.send(command, {
          ...PLACEMENT_SAGA_CONTEXT,
          correlationId: event.metadata.correlationId ?? event.id,
          causationId: event.id,
          // A relay publishes in the system scope: the order is the saga event's tenant's.
          ...(event.metadata.tenant === undefined ? {} : { tenant: event.metadata.tenant }),
          signal,
        }),
    );
    sagaOutcomes().add(1, outcomeOf(event));
  } catch (error) {
    if (error instanceof DomainError && error.rule === ORDER_STATUS_RULE) return;
    throw error;
  }
}

// The metrics API hands out no proxies: ask for the counter when it is used, so one made
// before the SDK started is not a no-op for ever.
const sagaOutcomes = () =>
  metrics.getMeter('duet-shop').createCounter('shop.saga.outcomes', {
    description: 'Order placements settled by the saga, by outcome and reason',
    unit: '{order}',
  });

/** `confirmed`, or `cancelled` with the reason's stable first words (`out of stock`). */
function outcomeOf(event: RecordedEvent<PlacementEvent>): Record<string, string> {
  if (event.type !== 'PlacementCancelled') return { 'shop.outcome': 'confirmed' };
  const reason = (event.data as { reason: string }).reason;
  return { 'shop.outcome': 'cancelled', 'shop.reason': reason.split(':')[0]!.trim() };
}
