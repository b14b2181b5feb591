import {
  createIntegrationConsumer,
  type DuetLogger,
  type IntegrationConsumer,
  type MessageStreamDefinition,
  type Transport,
} from '@duet/core';
import { createPostgresInbox, type SqlExecutor } from '@duet/postgres';
import {
  catalogContracts,
  PriceChangedV1,
  ProductAddedV1,
  ProductDiscontinuedV1,
  ProductRenamedV1,
} from '../../contracts/catalog-contracts.ts';
import { applyProductFact } from './price-list.ts';

/** Options of `createPriceListConsumer`. */
export interface PriceListConsumerOptions {
  readonly executor: SqlExecutor;
  /** The orders schema: its inbox and `price_list_v2`. */
  readonly schema: string;
  readonly transport: Transport;
  /** The catalog's broker stream (`shopStreams().catalog`). */
  readonly source: MessageStreamDefinition;
  /** Where the consumer logs failed deliveries and dead letters (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/** The durable consumer's name: `<orders schema>_price_list`. */
export const priceListConsumerName = (schema: string) => `${schema}_price_list`;

/**
 * Keeps the orders service's `price_list_v2` from the catalog's product events (added,
 * renamed, price changed, discontinued), each applied once, in its inbox transaction.
 *
 * @example
 * const consumer = createPriceListConsumer({ executor, schema: 'orders', transport, source: streams.catalog });
 * await consumer.start();
 */
export function createPriceListConsumer(options: PriceListConsumerOptions): IntegrationConsumer {
  const { executor, schema, transport, source } = options;
  return createIntegrationConsumer({
    ...(options.logger ? { logger: options.logger } : {}),
    name: priceListConsumerName(schema),
    transport,
    inbox: createPostgresInbox({ executor, schema }),
    source,
    contracts: catalogContracts,
    events: [ProductAddedV1, ProductRenamedV1, PriceChangedV1, ProductDiscontinuedV1],
    async handle(message, { tx }) {
      const fact = { type: message.type, ...(message.data as object) } as Parameters<
        typeof applyProductFact
      >[2];
      await applyProductFact(tx, schema, fact);
    },
  });
}
