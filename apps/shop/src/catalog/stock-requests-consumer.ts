import type { DuetLogger, MessageStreamDefinition } from '@duet/core';
import { createIntegrationConsumer, type IntegrationConsumer, type Transport } from '@duet/core';
import { createPostgresInbox, type PostgresEventStore } from '@duet/postgres';
import { ordersContracts } from '../contracts/order-placement-contracts.ts';
import { SYSTEM_CONTEXT } from './catalog-access.ts';
import { runStockRequest } from './run-stock-request.ts';
import { stockRequestContracts, stockRequestFrom } from './stock-request.ts';

/** Options of `createStockRequestsConsumer`. */
export interface StockRequestsConsumerOptions {
  /** The catalog's store: answers are appended in its transaction with the inbox rows. */
  readonly store: PostgresEventStore;
  readonly transport: Transport;
  /** The orders service's broker stream (`shopStreams().orders`). */
  readonly source: MessageStreamDefinition;
  /** Deliveries fetched and handled in one inbox transaction (default 100). */
  readonly batch?: number;
  /** Where the consumer logs failed deliveries and dead letters (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/**
 * The durable consumer `catalog_stock_requests`: the placement saga's stock requests
 * (reserve, release, ship) from the orders service, each planned and answered with the
 * catalog's own events in the inbox's store transaction, so an answer is appended once
 * however often its request is delivered. The relay then publishes the answers.
 *
 * @example
 * const consumer = createStockRequestsConsumer({ store, transport, source: streams.orders });
 * await consumer.start();
 */
export function createStockRequestsConsumer(
  options: StockRequestsConsumerOptions,
): IntegrationConsumer {
  const { store, transport, source } = options;
  return createIntegrationConsumer({
    ...(options.logger ? { logger: options.logger } : {}),
    name: 'catalog_stock_requests',
    transport,
    inbox: createPostgresInbox({ store }),
    source,
    contracts: ordersContracts,
    events: stockRequestContracts,
    // One inbox transaction at a time: requests for a popular product all write its
    // stream, so side-by-side lanes would only lose races to each other (and, once a
    // transaction has its id, a lost race cannot be re-planned in it: LateAppendError).
    concurrency: 1,
    ...(options.batch === undefined ? {} : { batch: options.batch }),
    async handle(message, { tx }) {
      const request = await stockRequestFrom(message);
      if (request === undefined) return;
      await runStockRequest(tx, request, {
        metadata: {
          correlationId: message.metadata.correlationId ?? message.id,
          causationId: message.id,
          actor: SYSTEM_CONTEXT.actor ?? 'catalog',
        },
      });
    },
  });
}
