import {
  type CommandBus,
  createRelay,
  type DuetLogger,
  foldEvents,
  type Transport,
} from '@duet/core';
import {
  migrate,
  openProcessors,
  type PostgresEventStore,
  type SqlExecutor,
  withSchemaLock,
} from '@duet/postgres';
import type { ShopStreams } from '../../contracts/message-streams.ts';
import { ordersContracts } from '../../contracts/order-placement-contracts.ts';
import { createPlacementAnswerConsumers } from './placement-answers-consumers.ts';
import { createPlacementDecider, placementStream } from './placement-decider.ts';
import { createPlacementReactor } from './placement-reactor.ts';
import type { PlacementEvent, PlacementState } from './placement-state.ts';
import { type SagaTimelineEntry, sagaTimeline } from './saga-timeline.ts';
import { createSettledOrderSender } from './settled-order-sender.ts';
import { storeTransactionExecutor } from './store-transaction-executor.ts';
import { createTimerPoller } from './timer-poller.ts';
import { ensureTimerTable } from './timer-table.ts';

/** What `createPlacementService` takes. */
export interface PlacementServiceOptions {
  /**
   * The orders service's store and command bus. Its event registry must know
   * `placementEvents` (placement-decider.ts) beside `orderEvents`: the saga's streams
   * live in the orders store, and its request events are what the orders relay publishes.
   */
  readonly orders: { readonly store: PostgresEventStore; readonly commands: CommandBus };
  /** The orders database (the store's executor): the processors' schema is migrated on it. */
  readonly executor: SqlExecutor;
  readonly transport: Transport;
  /** Publishes on `orders`; consumes the answers on `catalog`, `customers` and `payments`. */
  readonly streams: ShopStreams;
  /** The orders schema (default 'orders'): processors in `<schema>_placement`, consumers `<schema>_placement_<service>`. */
  readonly schema?: string;
  /** How long payments has to authorize (default 30,000 ms). */
  readonly paymentTimeoutMs?: number;
  /** The saga's clock: every command's `at`, and what due timers are measured against. */
  readonly clock?: () => Date;
  /** Pause between timer polls (default 1,000 ms). */
  readonly timerPollMs?: number;
  /**
   * Run the orders relay (`ordersContracts`) here. Default true, as the orders service
   * runs none; pass false once it does, or every request is published by both.
   */
  readonly relay?: boolean;
  /** For the processors' partition leases on PostgreSQL (several processes). */
  readonly databaseUrl?: string;
  /** Where its processors, relay and consumers log (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/**
 * The order-placement saga run inside the orders service's database:
 * - a reactor on `OrderPlaced` / `OrderCancelled` that starts and stops placements, its
 *   appends atomic with its inbox row (its runner's transactions are store transactions);
 * - durable consumers of the answers of catalog, customers and payments, each decided on
 *   `placement-<orderId>` in its inbox's transaction;
 * - the orders relay, which publishes the saga's request events (and the order contracts);
 * - a sender of `ConfirmOrder` / `CancelOrder` to the orders bus when a saga settles;
 * - a poller of the `timers_v2` table (payment timeouts), which survive restarts.
 * `start()` starts them all; `close()` stops them (the orders store and executor stay open).
 *
 * @example
 * const placement = await createPlacementService({ orders, executor, transport, streams: shopStreams() });
 * await placement.start();
 * console.table(await placement.timeline('o-1'));
 */
export async function createPlacementService(options: PlacementServiceOptions) {
  const schema = options.schema ?? 'orders';
  const { orders, executor, transport, streams } = options;
  const logged = options.logger ? { logger: options.logger } : {};
  const { store } = orders;
  const clock = options.clock ?? (() => new Date());
  const decider = createPlacementDecider(
    options.paymentTimeoutMs === undefined ? {} : { paymentTimeoutMs: options.paymentTimeoutMs },
  );
  const recorder = { store, decider };
  await migrate(executor, { schema: `${schema}_placement`, set: 'processors' });
  // Under the schema lock: several processes of orders may start at once.
  await withSchemaLock(executor, store.schema, (tx) => ensureTimerTable(tx, store.schema));

  const processors = openProcessors({
    store,
    // Store transactions, so the reactor appends with its inbox row (store-transaction-executor.ts).
    readModels: storeTransactionExecutor(store),
    schema: `${schema}_placement`,
    readModelSchema: `${schema}_placement`,
    processors: [
      createPlacementReactor({ ...recorder, clock }),
      createSettledOrderSender({ commands: orders.commands }),
      ...(options.relay === false
        ? []
        : [createRelay({ contracts: ordersContracts, transport, store, ...logged })]),
    ],
    // A lost race on a saga stream (LateAppendError) is cured by a new transaction.
    retry: { attempts: 6, backoffMs: 50 },
    ...(options.databaseUrl ? { leases: { connectionString: options.databaseUrl } } : {}),
    ...logged,
  });
  const consumers = createPlacementAnswerConsumers({
    ...recorder,
    transport,
    streams,
    clock,
    prefix: schema,
    ...logged,
  });
  const poller = createTimerPoller({
    ...recorder,
    clock,
    ...(options.timerPollMs === undefined ? {} : { intervalMs: options.timerPollMs }),
  });

  const readPlacement = async (orderId: string) => {
    const events: PlacementEvent[] = [];
    for await (const event of store.readStream<PlacementEvent>(placementStream(orderId))) {
      events.push(event);
    }
    return events;
  };

  return {
    decider,
    processors,
    consumers,
    poller,
    async start() {
      // The relay publishes from its first batch: its stream must exist before.
      if (options.relay !== false) await transport.ensureStreams([streams.orders]);
      await processors.start();
      for (const consumer of consumers) await consumer.start();
      poller.start();
    },
    async close() {
      // Producers of saga events first, then the processors that follow them.
      await poller.stop();
      for (const consumer of consumers) await consumer.stop();
      await processors.close();
    },
    /** A placement's history as lines people read (`duet saga show`). */
    async timeline(orderId: string): Promise<SagaTimelineEntry[]> {
      return sagaTimeline(await readPlacement(orderId));
    },
    /** A placement's state and version, folded from its stream. */
    async state(orderId: string): Promise<{ state: PlacementState; version: number }> {
      const events = await readPlacement(orderId);
      return { state: foldEvents(decider, events), version: events.length };
    },
  };
}

export type PlacementService = Awaited<ReturnType<typeof createPlacementService>>;
