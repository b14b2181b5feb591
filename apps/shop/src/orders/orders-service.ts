import { createCommandBus, createEventRegistry, createQueryBus, type Transport } from '@duet/core';
import {
  createPostgresEventStore,
  createPostgresSnapshotStore,
  migrate,
  openProcessors,
  type SqlExecutor,
} from '@duet/postgres';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { orderCommands } from './order-commands.ts';
import { orderEvents } from './order-events.ts';
import { orderHandler } from './order-handler.ts';
import { orderPolicies } from './order-policies.ts';
import { placementEvents } from './placement/placement-decider.ts';
import { createPlacementService } from './placement/placement-service.ts';
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
  await migrate(executor, { schema });
  await migrate(executor, { schema: `${schema}_projections`, set: 'processors' });
  // The saga's events live in the orders store: its requests go out through the orders relay.
  const events = createEventRegistry([...orderEvents, ...placementEvents]);
  const store = createPostgresEventStore({ executor, schema, events });
  const commands = createCommandBus({
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
  });
  const { messaging } = options;
  const placement = messaging
    ? await createPlacementService({
        orders: { store, commands },
        executor,
        transport: messaging.transport,
        streams: messaging.streams,
        schema,
        ...(messaging.paymentTimeoutMs === undefined
          ? {}
          : { paymentTimeoutMs: messaging.paymentTimeoutMs }),
        ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      })
    : null;
  const queries = createQueryBus({
    handlers: orderQueryHandlers((name) => processors.readModel(name)),
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
    definitions: { commands: orderCommands, queries: orderQueries },
    async start() {
      await processors.start();
      await placement?.start();
    },
    async close() {
      await placement?.close();
      await processors.close();
      await store.close();
    },
  };
}

export type OrdersService = Awaited<ReturnType<typeof createOrdersService>>;
