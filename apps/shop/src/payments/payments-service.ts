import {
  type CommandBus,
  createEventRegistry,
  createQueryBus,
  createRelay,
  type DuetLogger,
  type Transport,
  UnknownMessageError,
} from '@duet/core';
import {
  createPostgresEventStore,
  migrate,
  openProcessors,
  type SqlExecutor,
} from '@duet/postgres';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { paymentsContracts } from '../contracts/payment-contracts.ts';
import { routeCommands } from '../service-kit/route-commands.ts';
import { createSimulatedGateway } from './create-simulated-gateway.ts';
import { paymentEvents } from './payment-events.ts';
import type { PaymentGateway } from './payment-gateway.ts';
import { paymentQueries } from './payment-queries.ts';
import { paymentQueryHandlers, paymentQueryPolicies } from './payment-query-handlers.ts';
import { createPaymentRequestsConsumer } from './payment-requests-consumer.ts';
import { paymentsByOrderProjection } from './payments-by-order-projection.ts';
import { createStaffPaymentHandler, staffPaymentCommands } from './staff-payment-commands.ts';

export interface PaymentsServiceOptions {
  readonly executor: SqlExecutor;
  /** Its events and inbox; `<schema>_processors` and `<schema>_read` beside (default 'payments'). */
  readonly schema?: string;
  readonly transport: Transport;
  /** The shop's broker streams: it publishes on `payments`, consumes `orders`. */
  readonly streams: Pick<ShopStreams, 'payments' | 'orders'>;
  /** Default: a simulated gateway that approves everything at once. */
  readonly gateway?: PaymentGateway;
  /** For the processors' partition leases on PostgreSQL. */
  readonly databaseUrl?: string;
  /** Where its processors, relay and consumers log (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

// Every command here needs the gateway, so none goes through a plain decider bus: types
// the staff handler does not take are unknown, as a bus would say.
const noOtherCommands: CommandBus = {
  send: async (command) => {
    throw new UnknownMessageError('command', String((command as { type?: unknown })?.type));
  },
};

/**
 * The payments service: answers the placement saga's payment requests from the orders
 * stream (each with its gateway call, appended in the inbox's transaction), takes staff
 * voids and refunds over HTTP, relays its contracts to the `payments` stream and keeps
 * `payments_by_order` for `GetPayment`. `start()` starts the relay, the projection and
 * the consumer; `close()` stops them and closes the store (the executor stays open).
 *
 * @example
 * const payments = await createPaymentsService({ executor, transport, streams: shopStreams(),
 *   gateway: createSimulatedGateway({ failureRate: 0.1, latencyMs: { min: 20, max: 80 } }) });
 * await payments.start();
 */
export async function createPaymentsService(options: PaymentsServiceOptions) {
  const schema = options.schema ?? 'payments';
  const { executor, transport, streams } = options;
  const logged = options.logger ? { logger: options.logger } : {};
  const gateway =
    options.gateway ?? createSimulatedGateway({ failureRate: 0, latencyMs: { min: 0, max: 0 } });
  await migrate(executor, { schema });
  await migrate(executor, { schema: `${schema}_processors`, set: 'processors' });
  const store = createPostgresEventStore({
    executor,
    schema,
    events: createEventRegistry(paymentEvents),
  });
  const staff = createStaffPaymentHandler({ store, gateway });
  const commands = routeCommands(noOtherCommands, { VoidPayment: staff, RefundPayment: staff });
  const processors = openProcessors({
    store,
    schema: `${schema}_processors`,
    readModelSchema: `${schema}_read`,
    processors: [
      paymentsByOrderProjection,
      createRelay({ contracts: paymentsContracts, transport, store, ...logged }),
    ],
    ...(options.databaseUrl ? { leases: { connectionString: options.databaseUrl } } : {}),
    ...logged,
  });
  const queries = createQueryBus({
    handlers: paymentQueryHandlers((name) => processors.readModel(name)),
    policies: paymentQueryPolicies,
    consistency: processors.waitForPosition,
  });
  const consumers = [
    createPaymentRequestsConsumer({ store, transport, streams, gateway, ...logged }),
  ];
  return {
    store,
    commands,
    queries,
    processors,
    consumers,
    // Live queries re-run when these checkpoints move.
    live: processors.changes,
    definitions: { commands: staffPaymentCommands, queries: paymentQueries },
    async start() {
      // The relay publishes into this stream: make it before the first batch.
      await transport.ensureStreams([streams.payments]);
      await processors.start();
      for (const consumer of consumers) await consumer.start();
    },
    async close() {
      // Consumers first: their handlers append to the store closed last.
      for (const consumer of consumers) await consumer.stop();
      await processors.close();
      await store.close();
    },
  };
}

export type PaymentsService = Awaited<ReturnType<typeof createPaymentsService>>;
