import {
  createIntegrationConsumer,
  type DuetLogger,
  type IntegrationConsumer,
  type IntegrationDataOf,
  type IntegrationMessage,
  type Transport,
  validate,
} from '@duet/core';
import {
  createPostgresInbox,
  type EventStoreTransaction,
  type PostgresEventStore,
} from '@duet/postgres';
import type { ShopStreams } from '../contracts/message-streams.ts';
import {
  CreditReleaseRequestedV1,
  CreditReservationRequestedV1,
  ordersContracts,
} from '../contracts/order-placement-contracts.ts';
import { decideInTransaction } from '../service-kit/decide-in-transaction.ts';
import { answerMetadata } from '../service-kit/integration-metadata.ts';
import {
  creditReleaseCommand,
  creditReservationCommand,
  SAGA_CONTEXT,
} from './credit-request-commands.ts';
import { type CustomerCommand, ReleaseCredit, ReserveCredit } from './customer-commands.ts';
import { customerDecider } from './customer-decider.ts';
import { customerStream } from './customer-stream.ts';

/** Options of `createCreditRequestsConsumer`. */
export interface CreditRequestsConsumerOptions {
  readonly store: PostgresEventStore;
  readonly transport: Transport;
  readonly streams: Pick<ShopStreams, 'orders'>;
  /** Where the consumer logs failed deliveries and dead letters (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/**
 * The customers service's answer to the placement saga: `CreditReservationRequested`
 * becomes `ReserveCredit`, `CreditReleaseRequested` `ReleaseCredit`, decided on the
 * customer's stream with the saga's context and appended in the inbox's transaction, so
 * the answer and the "handled" row commit together (a redelivery finds the row and changes
 * nothing). The relay then publishes the answer (`CreditReserved`, ...).
 *
 * @example
 * const consumer = createCreditRequestsConsumer({ store, transport, streams });
 * await consumer.start();
 */
export function createCreditRequestsConsumer(
  options: CreditRequestsConsumerOptions,
): IntegrationConsumer {
  const { store } = options;
  return createIntegrationConsumer({
    ...(options.logger ? { logger: options.logger } : {}),
    name: 'customers_credit_requests',
    transport: options.transport,
    inbox: createPostgresInbox({ store }),
    source: options.streams.orders,
    contracts: ordersContracts,
    events: [CreditReservationRequestedV1, CreditReleaseRequestedV1],
    // One inbox transaction at a time. Lanes split by the orders' streams, but the writes
    // go to customers' streams: two lanes holding two customers' streams each wait for
    // the other (seen: ~100 deadlocks in a 20 s bench, each a 1 s deadlock_timeout).
    concurrency: 1,
    handle: (message, { tx }) => answerCreditRequest(message, tx, store),
  });
}

/**
 * Decides one credit request on the customer's stream and appends the answer in `tx`.
 * Requests for one customer come from many orders, so they run side by side in the
 * consumer's lanes: the expected version keeps the holds within the limit, and a lost
 * race is read and decided again (`decideInTransaction`).
 *
 * @example
 * await inbox.run('customers_credit_requests', [entry], (_, __, tx) => answerCreditRequest(message, tx, store));
 */
export async function answerCreditRequest(
  message: IntegrationMessage,
  tx: EventStoreTransaction,
  store: PostgresEventStore,
): Promise<void> {
  const command = await commandFrom(message);
  await decideInTransaction({
    tx,
    store,
    stream: customerStream(command.data.customerId),
    evolver: customerDecider,
    decide: (state) => [customerDecider.decide(command, state, SAGA_CONTEXT)].flat(),
    metadata: answerMetadata(message, SAGA_CONTEXT.actor ?? 'orders'),
  });
}

// The contracts' ids are looser than the commands' (any string): a request the command
// refuses fails here and is dead-lettered, rather than reaching a stream name.
async function commandFrom(message: IntegrationMessage): Promise<CustomerCommand> {
  const subject = `message ${message.subject} ${message.id}`;
  if (message.type === CreditReservationRequestedV1.name) {
    const { data } = creditReservationCommand(message.data as ReservationRequest);
    return ReserveCredit.create(await validate(ReserveCredit.schema, data, subject));
  }
  const { data } = creditReleaseCommand(message.data as ReleaseRequest);
  return ReleaseCredit.create(await validate(ReleaseCredit.schema, data, subject));
}

type ReservationRequest = IntegrationDataOf<typeof CreditReservationRequestedV1>;
type ReleaseRequest = IntegrationDataOf<typeof CreditReleaseRequestedV1>;
