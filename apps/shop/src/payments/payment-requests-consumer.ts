import {
  createIntegrationConsumer,
  type DuetLogger,
  type IntegrationConsumer,
  type IntegrationMessage,
  type Transport,
} from '@duet/core';
import {
  createPostgresInbox,
  type EventStoreTransaction,
  type PostgresEventStore,
} from '@duet/postgres';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { ordersContracts } from '../contracts/order-placement-contracts.ts';
import { decideInTransaction } from '../service-kit/decide-in-transaction.ts';
import { answerMetadata } from '../service-kit/integration-metadata.ts';
import { commandFromOrderRequest, paymentRequests } from './commands-from-order-requests.ts';
import { decideWithGateway } from './decide-with-gateway.ts';
import { paymentDecider, paymentIdOf, paymentsSystemContext } from './payment-decider.ts';
import type { PaymentGateway } from './payment-gateway.ts';

/** Options of `createPaymentRequestsConsumer`. */
export interface PaymentRequestsConsumerOptions {
  readonly store: PostgresEventStore;
  readonly transport: Transport;
  readonly streams: Pick<ShopStreams, 'orders'>;
  readonly gateway: PaymentGateway;
  /** Where the consumer logs failed deliveries and dead letters (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/**
 * The payments service's answer to the placement saga: authorize, capture, void and
 * refund requests from the orders stream, each decided with its gateway call and appended
 * in the inbox's transaction.
 *
 * @example
 * const consumer = createPaymentRequestsConsumer({ store, transport, streams, gateway });
 * await consumer.start();
 */
export function createPaymentRequestsConsumer(
  options: PaymentRequestsConsumerOptions,
): IntegrationConsumer {
  const { store, gateway } = options;
  return createIntegrationConsumer({
    ...(options.logger ? { logger: options.logger } : {}),
    name: 'payments_requests',
    transport: options.transport,
    inbox: createPostgresInbox({ store }),
    source: options.streams.orders,
    contracts: ordersContracts,
    events: paymentRequests,
    handle: (message, { tx }) => answerPaymentRequest(message, tx, store, gateway),
  });
}

/**
 * Folds `payment-<orderId>`, asks the gateway when the decider says there is something to
 * do (`decideWithGateway`), and appends the answer in `tx`. The gateway is called inside
 * the inbox's transaction: if the commit fails after the call, the redelivered request
 * calls again with the same idempotency key and the gateway answers as before, so the
 * bank never acts twice. A decline of a settlement throws (`GATEWAY_DECLINED`): the
 * request is retried, then dead-lettered.
 *
 * @example
 * await answerPaymentRequest(message, tx, store, gateway);
 */
export async function answerPaymentRequest(
  message: IntegrationMessage,
  tx: EventStoreTransaction,
  store: PostgresEventStore,
  gateway: PaymentGateway,
): Promise<void> {
  const command = await commandFromOrderRequest(message);
  if (command === undefined) return;
  await decideInTransaction({
    tx,
    store,
    stream: paymentIdOf(command.data.orderId),
    evolver: paymentDecider,
    decide: (state) => decideWithGateway(command, state, gateway, paymentsSystemContext),
    metadata: answerMetadata(message, paymentsSystemContext.actor ?? 'payments'),
  });
}
