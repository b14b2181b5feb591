import {
  createIntegrationConsumer,
  type DuetLogger,
  type IntegrationConsumer,
  type IntegrationMessage,
  type Transport,
} from '@duet/core';
import { createPostgresInbox, type PostgresEventStore } from '@duet/postgres';
import { catalogContracts } from '../../contracts/catalog-contracts.ts';
import { customersContracts } from '../../contracts/customer-contracts.ts';
import type { ShopStreams } from '../../contracts/message-streams.ts';
import { paymentsContracts } from '../../contracts/payment-contracts.ts';
import { placementAnswers, placementCommandFrom } from './placement-command-from.ts';
import { type PlacementRecorder, recordPlacement } from './record-placement.ts';
import { metadataFromMessage } from './saga-metadata.ts';

/** Options of `createPlacementAnswerConsumers`. */
export interface PlacementAnswerConsumersOptions extends PlacementRecorder {
  /** The orders store: the inbox rows and the saga's events commit in its transactions. */
  readonly store: PostgresEventStore;
  readonly transport: Transport;
  readonly streams: Pick<ShopStreams, 'catalog' | 'customers' | 'payments'>;
  readonly clock: () => Date;
  /** Prefix of the durable consumers' names (default 'orders'): `<prefix>_placement_<service>`. */
  readonly prefix?: string;
  /** Where the consumer logs failed deliveries and dead letters (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

const sources = [
  { service: 'catalog', contracts: catalogContracts, events: placementAnswers.catalog },
  { service: 'customers', contracts: customersContracts, events: placementAnswers.customers },
  { service: 'payments', contracts: paymentsContracts, events: placementAnswers.payments },
] as const;

/**
 * The saga's ears: one durable consumer per answering service (catalog, customers,
 * payments), each on the orders store's inbox. An answer becomes its saga command
 * (`placementCommandFrom`) and is decided on `placement-<orderId>` in the inbox's
 * transaction, so the saga's events, their timers and the "handled" row commit together:
 * a redelivery finds the row and changes nothing. Answers to other services' requests
 * (messages the saga does not know) are acknowledged unhandled.
 *
 * @example
 * const consumers = createPlacementAnswerConsumers({ store, decider, transport, streams, clock });
 * for (const consumer of consumers) await consumer.start();
 */
export function createPlacementAnswerConsumers(
  options: PlacementAnswerConsumersOptions,
): IntegrationConsumer[] {
  const { store, transport, streams } = options;
  const inbox = createPostgresInbox({ store });
  const prefix = options.prefix ?? 'orders';
  return sources.map(({ service, contracts, events }) =>
    createIntegrationConsumer({
      ...(options.logger ? { logger: options.logger } : {}),
      name: `${prefix}_placement_${service}`,
      transport,
      inbox,
      source: streams[service],
      contracts,
      events,
      // One inbox transaction at a time: lanes split by the answering service's streams
      // (a customer's, a product's), but the writes go to sagas' streams, so two lanes
      // could each hold a saga the other waits for (a deadlock: 1 s deadlock_timeout).
      concurrency: 1,
      handle: (message, { tx }) => answer(options, message, tx),
    }),
  );
}

async function answer(
  options: PlacementAnswerConsumersOptions,
  message: IntegrationMessage,
  tx: Parameters<typeof recordPlacement>[1],
): Promise<void> {
  const command = await placementCommandFrom(message, options.clock().toISOString());
  if (!command) return;
  await recordPlacement(options, tx, command, metadataFromMessage(message));
}
