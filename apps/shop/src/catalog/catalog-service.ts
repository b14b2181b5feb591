import {
  createCommandBus,
  createEventRegistry,
  createQueryBus,
  createRelay,
  type DuetLogger,
  type Transport,
} from '@duet/core';
import {
  createPostgresEventStore,
  createPostgresSnapshotStore,
  migrate,
  openProcessors,
  type SqlExecutor,
} from '@duet/postgres';
import { catalogContracts } from '../contracts/catalog-contracts.ts';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { catalogPolicies } from './catalog-policies.ts';
import { catalogProductsProjection } from './catalog-products-projection.ts';
import { catalogQueries } from './catalog-queries.ts';
import { catalogQueryHandlers } from './catalog-query-handlers.ts';
import { productEvents } from './product-events.ts';
import { catalogCommands, productHandler } from './product-handler.ts';
import { createStockRequestsConsumer } from './stock-requests-consumer.ts';
import { stockReservationEvents } from './stock-reservation-events.ts';

export interface CatalogServiceOptions {
  readonly executor: SqlExecutor;
  /** The service's schema: its events and inbox; `<schema>_processors` and `<schema>_read` beside it (default 'catalog'). */
  readonly schema?: string;
  /** The broker: the relay publishes on `streams.catalog`, the consumer reads `streams.orders`. */
  readonly transport: Transport;
  readonly streams: ShopStreams;
  /** For the processor runner's partition leases on PostgreSQL. */
  readonly databaseUrl?: string;
  /** Where its processors, relay and consumers log (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/**
 * The catalog-and-stock service: products and their stock in its own store, staff
 * commands, the `catalog_products` read model and its queries, the relay that publishes
 * `catalogContracts`, and the consumer that answers the placement saga's stock requests.
 * `start()` starts the processors and the consumer; `close()` stops both and the store.
 *
 * @example
 * const catalog = await createCatalogService({ executor, transport, streams: shopStreams() });
 * await catalog.start();
 * await catalog.commands.send(AddProduct.create({ sku: 'tea', name: 'Tea', priceCents: 450 }), staff);
 */
export async function createCatalogService(options: CatalogServiceOptions) {
  const schema = options.schema ?? 'catalog';
  const { executor, transport, streams } = options;
  const logged = options.logger ? { logger: options.logger } : {};
  await migrate(executor, { schema });
  await migrate(executor, { schema: `${schema}_processors`, set: 'processors' });
  const events = createEventRegistry([...productEvents, ...stockReservationEvents]);
  const store = createPostgresEventStore({ executor, schema, events });
  const commands = createCommandBus({
    store,
    handlers: [productHandler],
    policies: catalogPolicies,
    snapshots: createPostgresSnapshotStore({ executor, schema }),
    events,
  });
  const relay = createRelay({ contracts: catalogContracts, transport, store, ...logged });
  const processors = openProcessors({
    store,
    schema: `${schema}_processors`,
    readModelSchema: `${schema}_read`,
    processors: [catalogProductsProjection, relay],
    ...(options.databaseUrl ? { leases: { connectionString: options.databaseUrl } } : {}),
    ...logged,
  });
  const queries = createQueryBus({
    handlers: catalogQueryHandlers((name) => processors.readModel(name)),
    consistency: processors.waitForPosition,
  });
  const stockRequests = createStockRequestsConsumer({
    store,
    transport,
    source: streams.orders,
    ...logged,
  });
  return {
    store,
    commands,
    queries,
    processors,
    // Each with `lastError` and `deadLetters()`, for health checks and the CLI.
    consumers: [stockRequests],
    // Live queries re-run when these checkpoints move.
    live: processors.changes,
    definitions: { commands: catalogCommands, queries: catalogQueries },
    async start() {
      // The relay publishes from its first batch: its stream must exist before.
      await transport.ensureStreams([streams.catalog]);
      await processors.start();
      await stockRequests.start();
    },
    async close() {
      await stockRequests.stop();
      await processors.close();
      await store.close();
    },
  };
}

export type CatalogService = Awaited<ReturnType<typeof createCatalogService>>;
