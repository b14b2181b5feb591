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
  createPostgresPersonalDataKeys,
  createPostgresSnapshotStore,
  migrate,
  openProcessors,
  type SqlExecutor,
} from '@duet/postgres';
import { customersContracts } from '../contracts/customer-contracts.ts';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { routeCommands } from '../service-kit/route-commands.ts';
import { createCreditRequestsConsumer } from './credit-requests-consumer.ts';
import { CustomerAsOf, customerAsOfHandler } from './customer-as-of.ts';
import {
  ChangeShippingAddress,
  ForgetCustomer,
  RegisterCustomer,
  RenameCustomer,
  SetCreditLimit,
} from './customer-commands.ts';
import { customerServiceEvents } from './customer-events.ts';
import { customerHandler } from './customer-handler.ts';
import { customerPolicies } from './customer-policies.ts';
import { customerQueries } from './customer-queries.ts';
import { customerQueryHandlers, customerQueryPolicies } from './customer-query-handlers.ts';
import { createForgetCustomerHandler } from './forget-customer.ts';
import { profilesProjection } from './profiles-projection.ts';
import { createRegistrationHandler } from './register-customer.ts';

export interface CustomersServiceOptions {
  readonly executor: SqlExecutor;
  /**
   * Its events, inbox and snapshots; `<schema>_processors`, `<schema>_read` and the
   * personal data keys `<schema>_keys` beside (default 'customers').
   */
  readonly schema?: string;
  readonly transport: Transport;
  /** The shop's broker streams: it publishes on `customers`, consumes `orders`. */
  readonly streams: Pick<ShopStreams, 'customers' | 'orders'>;
  /** For the processors' partition leases on PostgreSQL. */
  readonly databaseUrl?: string;
  /** Where its processors, relay and consumers log (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/** The commands clients send over HTTP (the saga's credit requests come by the broker). */
const httpCommands = [
  RegisterCustomer,
  RenameCustomer,
  ChangeShippingAddress,
  SetCreditLimit,
  ForgetCustomer,
];

/** The schema of a customers service's personal data keys (order history reads them too). */
export const customerKeysSchema = (schema = 'customers') => `${schema}_keys`;

/**
 * The customers service: registration (email unique through its reservation stream),
 * names, addresses and credit limits over HTTP; the placement saga's credit requests
 * answered from the orders stream; its contracts relayed to the `customers` stream; the
 * `customers_profiles` read model behind `GetMyProfile` and `ListCustomers`.
 * `start()` starts the relay, the projection and the consumer; `close()` stops them and
 * closes the store (the executor stays open).
 *
 * @example
 * const customers = await createCustomersService({ executor, transport, streams: shopStreams() });
 * await customers.start();
 * await customers.commands.send(RegisterCustomer.create({ ... }), { actor: 'ada', roles: ['customer'] });
 */
export async function createCustomersService(options: CustomersServiceOptions) {
  const schema = options.schema ?? 'customers';
  const { executor, transport, streams } = options;
  const logged = options.logger ? { logger: options.logger } : {};
  await migrate(executor, { schema });
  await migrate(executor, { schema: `${schema}_processors`, set: 'processors' });
  await migrate(executor, { schema: customerKeysSchema(schema), set: 'personal-data' });
  const events = createEventRegistry(customerServiceEvents);
  // Names, emails and addresses are sealed with each customer's key (issue 13, section 3).
  const keys = createPostgresPersonalDataKeys({ executor, schema: customerKeysSchema(schema) });
  const store = createPostgresEventStore({ executor, schema, events, personalData: { keys } });
  const bus = createCommandBus({
    store,
    handlers: [customerHandler],
    // Only the policies of the commands it takes: the bus refuses any other.
    policies: Object.fromEntries(
      Object.entries(customerPolicies).filter(([type]) =>
        customerHandler.commands.some((command) => command.type === type),
      ),
    ),
    snapshots: createPostgresSnapshotStore({ executor, schema }),
    events,
  });
  const commands = routeCommands(bus, {
    RegisterCustomer: createRegistrationHandler({ store }),
    ForgetCustomer: createForgetCustomerHandler({ store, keys }),
  });
  const processors = openProcessors({
    store,
    schema: `${schema}_processors`,
    readModelSchema: `${schema}_read`,
    processors: [
      profilesProjection,
      createRelay({
        contracts: customersContracts,
        transport,
        store,
        personalData: { keys },
        ...logged,
      }),
    ],
    ...(options.databaseUrl ? { leases: { connectionString: options.databaseUrl } } : {}),
    // Dead letters keep names sealed; a retry opens them with the keys as they are then.
    personalData: { keys },
    ...logged,
  });
  const queries = createQueryBus({
    handlers: [
      ...customerQueryHandlers((name) => processors.readModel(name)),
      customerAsOfHandler(store),
    ],
    policies: customerQueryPolicies,
    consistency: processors.waitForPosition,
  });
  const consumers = [createCreditRequestsConsumer({ store, transport, streams, ...logged })];
  return {
    store,
    keys,
    commands,
    queries,
    processors,
    consumers,
    // Live queries re-run when these checkpoints move.
    live: processors.changes,
    definitions: { commands: httpCommands, queries: [...customerQueries, CustomerAsOf] },
    async start() {
      // The relay publishes into this stream: make it before the first batch.
      await transport.ensureStreams([streams.customers]);
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

export type CustomersService = Awaited<ReturnType<typeof createCustomersService>>;
