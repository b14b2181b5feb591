import {
  type Contracts,
  createIntegrationConsumer,
  type DuetLogger,
  type IntegrationConsumer,
  type IntegrationEventDefinition,
  type IntegrationMessage,
  type PersonalDataKeys,
  type Transport,
} from '@duet/core';
import { createPostgresInbox, type SqlExecutor, type SqlTransaction } from '@duet/postgres';
import {
  catalogContracts,
  PriceChangedV1,
  ProductAddedV1,
  ProductRenamedV1,
} from '../contracts/catalog-contracts.ts';
import {
  CustomerForgottenV1,
  CustomerRegisteredV1,
  CustomerRenamedV1,
  customersContracts,
  ShippingAddressChangedV1,
} from '../contracts/customer-contracts.ts';
import type { ShopStreams } from '../contracts/message-streams.ts';
import {
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderShippedV1,
  ordersContracts,
} from '../contracts/order-placement-contracts.ts';
import {
  PaymentAuthorizedV1,
  PaymentCapturedV1,
  PaymentDeclinedV1,
  PaymentRefundedV1,
  PaymentVoidedV1,
  paymentsContracts,
} from '../contracts/payment-contracts.ts';
import { applyCatalogEvent } from './apply-catalog-event.ts';
import { applyCustomerEvent } from './apply-customer-event.ts';
import { applyOrderEvent } from './apply-order-event.ts';
import { applyPaymentEvent } from './apply-payment-event.ts';
import type { HistoryTables } from './history-tables.ts';
import { notifyingInbox } from './notifying-inbox.ts';

type Apply = (tx: SqlTransaction, t: HistoryTables, message: IntegrationMessage) => Promise<void>;

interface Source {
  readonly contracts: Contracts;
  readonly events: readonly IntegrationEventDefinition[];
  readonly apply: Apply;
}

/** What the history reads of each service: its contracts, the ones it handles, how. */
const sources = {
  orders: {
    contracts: ordersContracts,
    events: [OrderPlacedV1, OrderConfirmedV1, OrderCancelledV1, OrderShippedV1],
    apply: applyOrderEvent,
  },
  customers: {
    contracts: customersContracts,
    events: [
      CustomerRegisteredV1,
      CustomerRenamedV1,
      ShippingAddressChangedV1,
      CustomerForgottenV1,
    ],
    apply: applyCustomerEvent,
  },
  catalog: {
    contracts: catalogContracts,
    events: [ProductAddedV1, ProductRenamedV1, PriceChangedV1],
    apply: applyCatalogEvent,
  },
  payments: {
    contracts: paymentsContracts,
    events: [
      PaymentAuthorizedV1,
      PaymentDeclinedV1,
      PaymentCapturedV1,
      PaymentVoidedV1,
      PaymentRefundedV1,
    ],
    apply: applyPaymentEvent,
  },
} as const satisfies Record<keyof ShopStreams, Source>;

export type HistorySource = keyof typeof sources;

/** The durable consumer (and inbox) name of the history's consumer of a service. */
export const historyConsumerName = (service: HistorySource) => `order_history_${service}`;

/** Options of `createHistoryConsumers`. */
export interface HistoryConsumersOptions {
  readonly executor: SqlExecutor;
  readonly tables: HistoryTables;
  readonly transport: Transport;
  readonly streams: ShopStreams;
  /** Called after each inbox commit: wakes this process's read-your-writes waiters. */
  readonly committed: () => void;
  /**
   * Read access to the customers' personal data keys: names and addresses arrive sealed,
   * and a forgotten customer's arrive as forgotten.
   */
  readonly customerKeys: PersonalDataKeys;
  /** Deliveries per inbox transaction (default the consumer's). */
  readonly batch?: number;
  /** Where the consumer logs failed deliveries and dead letters (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/**
 * One durable consumer per source service, each writing the history in its inbox's
 * transaction (schema `tables.schema`), so a message takes effect once and a stream's
 * messages in order. Other services' messages come in any order: the writes converge.
 *
 * @example
 * const consumers = createHistoryConsumers({ executor, tables, transport, streams, committed });
 * await Promise.all(consumers.map((c) => c.start()));
 */
export function createHistoryConsumers(options: HistoryConsumersOptions): IntegrationConsumer[] {
  const { executor, tables, transport, streams, committed } = options;
  const inbox = notifyingInbox(createPostgresInbox({ executor, schema: tables.schema }), committed);
  return (Object.keys(sources) as HistorySource[]).map((service) => {
    const { contracts, events, apply } = sources[service];
    return createIntegrationConsumer({
      ...(options.logger ? { logger: options.logger } : {}),
      name: historyConsumerName(service),
      transport,
      inbox,
      source: streams[service],
      contracts,
      events,
      ...(service === 'customers' ? { personalData: { keys: options.customerKeys } } : {}),
      ...(options.batch === undefined ? {} : { batch: options.batch }),
      handle: (message, { tx }) => apply(tx, tables, message),
    });
  });
}
