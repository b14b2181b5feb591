import { ConsoleActionTaken } from '@duet/console';
import {
  type CommandBus,
  createCommandBus,
  createEventRegistry,
  createQueryBus,
  type DuetLogger,
  type Transport,
} from '@duet/core';
import {
  createPostgresEventStore,
  createPostgresSnapshotStore,
  migrate,
  openProcessors,
  type SqlExecutor,
  withSchemaLock,
} from '@duet/postgres';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { routeCommands } from '../service-kit/route-commands.ts';
import { orderCommands } from './order-commands.ts';
import { orderEvents } from './order-events.ts';
import { orderHandler } from './order-handler.ts';
import { orderPolicies } from './order-policies.ts';
import { placementEvents } from './placement/placement-decider.ts';
import { createPlacementService } from './placement/placement-service.ts';
import { priceFromCatalog } from './pricing/price-from-catalog.ts';
import { ensurePriceList, readListedProduct, waitForListedProducts } from './pricing/price-list.ts';
import { createPriceListConsumer } from './pricing/price-list-consumer.ts';
import { OrderAsOf, orderAsOfHandler } from './queries/order-as-of.ts';
import { orderQueries } from './queries/order-queries.ts';
import { orderQueryHandlers } from './queries/order-query-handlers.ts';
import { myOrdersProjection } from './read-models/my-orders-projection.ts';
import { orderDetailProjection } from './read-models/order-detail-projection.ts';

export interface OrdersServiceOptions {
  readonly executor: SqlExecutor;
  /** The service's schema: its events, and its read models beside them (default 'orders'). */
  readonly schema?: string;
  /** For the projection runner's partition leases on PostgreSQL. */
  readonly databaseUrl?: string;
  /**
   * Talk to the other services: publish the orders contracts and run the order-placement
   * saga over this transport (issue 11). Without it, orders are confirmed by staff only.
   */
  readonly messaging?: {
    readonly transport: Transport;
    readonly streams: ShopStreams;
    readonly paymentTimeoutMs?: number;
  };
  /** Where its processors, relay and consumers log (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/**
 * The orders service: its event store, command bus, projections and query bus, on one
 * database schema. `start()` starts the projections; `close()` closes them and the store.
 *
 * @example
 * const orders = await createOrdersService({ executor });
 * await orders.start();
 * const { position } = await orders.commands.send(command, { actor: 'ada' });
 */
export async function createOrdersService(options: OrdersServiceOptions) {
  const schema = options.schema ?? 'orders';
  const { executor } = options;
  const logged = options.logger ? { logger: options.logger } : {};
  await migrate(executor, { schema });
  await migrate(executor, { schema: `${schema}_projections`, set: 'processors' });
  // The saga's events live in the orders store: its requests go out through the orders relay.
  // The console's audit events go here too (shopConsole's audit store).
  const events = createEventRegistry([...orderEvents, ...placementEvents, ConsoleActionTaken]);
  const store = createPostgresEventStore({ executor, schema, events });
  const bus = createCommandBus({
    store,
    handlers: [orderHandler],
    policies: orderPolicies,
    snapshots: createPostgresSnapshotStore({ executor, schema }),
    events,
  });
  const processors = openProcessors({
    store,
    schema: `${schema}_projections`,
    readModelSchema: `${schema}_read`,
    projections: [myOrdersProjection, orderDetailProjection],
    ...(options.databaseUrl ? { leases: { connectionString: options.databaseUrl } } : {}),
    ...logged,
  });
  const { messaging } = options;
  // With the catalog (messaging), carts are priced from its events; alone, by the client.
  let priceList: ReturnType<typeof createPriceListConsumer> | null = null;
  let commands: CommandBus = bus;
  if (messaging) {
    await withSchemaLock(executor, schema, (tx) => ensurePriceList(tx, schema));
    priceList = createPriceListConsumer({
      executor,
      schema,
      transport: messaging.transport,
      source: messaging.streams.catalog,
      ...logged,
    });
    commands = routeCommands(bus, { AddItem: priceFromCatalog(bus, executor, schema) });
  }
  const placement = messaging
    ? await createPlacementService({
        orders: { store, commands: bus },
        executor,
        transport: messaging.transport,
        streams: messaging.streams,
        schema,
        ...(messaging.paymentTimeoutMs === undefined
          ? {}
          : { paymentTimeoutMs: messaging.paymentTimeoutMs }),
        ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
        ...logged,
      })
    : null;
  const queries = createQueryBus({
    handlers: [
      ...orderQueryHandlers((name) => processors.readModel(name)),
      orderAsOfHandler(store),
    ],
    consistency: processors.waitForPosition,
  });
  return {
    store,
    commands,
    queries,
    processors,
    // Live queries re-run when these checkpoints move.
    live: processors.changes,
    placement,
    /** Its broker consumers (the price list, the saga's answers): for readiness. */
    consumers: [...(priceList ? [priceList] : []), ...(placement?.consumers ?? [])],
    definitions: { commands: orderCommands, queries: [...orderQueries, OrderAsOf] },
    /** The catalog's products as this service knows them (null without messaging). */
    prices: messaging
      ? {
          read: (sku: string) => readListedProduct(executor, schema, sku),
          waitFor: (skus: readonly string[], timeoutMs = 10_000) =>
            waitForListedProducts(executor, schema, skus, timeoutMs),
        }
      : null,
    async start() {
      await processors.start();
      await priceList?.start();
      await placement?.start();
    },
    async close() {
      await placement?.close();
      await priceList?.stop();
      await processors.close();
      await store.close();
    },
  };
}

export type OrdersService = Awaited<ReturnType<typeof createOrdersService>>;
