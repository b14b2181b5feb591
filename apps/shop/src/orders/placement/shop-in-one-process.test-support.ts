import { createCommandBus, createEventRegistry, foldEvents, type Transport } from '@duet/core';
import {
  createPostgresEventStore,
  createPostgresSnapshotStore,
  migrate,
  type SqlExecutor,
} from '@duet/postgres';
import { type CatalogService, createCatalogService } from '../../catalog/catalog-service.ts';
import { productDecider, productStream } from '../../catalog/product-decider.ts';
import type { ProductEvent } from '../../catalog/product-events.ts';
import type { ShopStreams } from '../../contracts/message-streams.ts';
import { type CustomerState, customerDecider } from '../../customers/customer-decider.ts';
import type { CustomerEvent } from '../../customers/customer-events.ts';
import {
  type CustomersService,
  createCustomersService,
} from '../../customers/customers-service.ts';
import { createSimulatedGateway } from '../../payments/create-simulated-gateway.ts';
import type { PaymentGateway } from '../../payments/payment-gateway.ts';
import { createPaymentsService, type PaymentsService } from '../../payments/payments-service.ts';
import { orderDecider } from '../order-decider.ts';
import { type OrderEvent, orderEvents } from '../order-events.ts';
import { orderHandler } from '../order-handler.ts';
import { orderPolicies } from '../order-policies.ts';
import { placementEvents } from './placement-decider.ts';

// The four services of the shop in one process, for the saga's integration test. The
// orders side is built here rather than by createOrdersService, which cannot yet take the
// saga's event definitions: its store and bus are what the lead's change will make.

/** The schemas this wiring uses, by service: drop them (and their suffixes) after. */
export const shopTestSchemas = {
  orders: 'orders_saga_it',
  customers: 'customers_saga_it',
  catalog: 'catalog_saga_it',
  payments: 'payments_saga_it',
} as const;

/**
 * Approves every authorization but those of orders whose id starts with `decline-`,
 * which a simulated gateway at failure rate 1 declines.
 */
export function decliningGateway(): PaymentGateway {
  const approve = createSimulatedGateway({ failureRate: 0, latencyMs: { min: 0, max: 0 } });
  const decline = createSimulatedGateway({ failureRate: 1, latencyMs: { min: 0, max: 0 } });
  return {
    authorize: (request) =>
      (request.orderId.startsWith('decline-') ? decline : approve).authorize(request),
    capture: (request) => approve.capture(request),
    void: (request) => approve.void(request),
    refund: (request) => approve.refund(request),
  };
}

/**
 * The orders store and command bus as orders-service.ts makes them, with the saga's
 * events in its registry.
 *
 * @example
 * const orders = await openOrdersSide(executor, 'orders_it');
 */
export async function openOrdersSide(executor: SqlExecutor, schema: string) {
  await migrate(executor, { schema });
  const events = createEventRegistry([...orderEvents, ...placementEvents]);
  const store = createPostgresEventStore({ executor, schema, events });
  const commands = createCommandBus({
    store,
    handlers: [orderHandler],
    policies: orderPolicies,
    snapshots: createPostgresSnapshotStore({ executor, schema }),
    events,
  });
  const order = async (orderId: string) => {
    const history: OrderEvent[] = [];
    for await (const event of store.readStream<OrderEvent>(`order-${orderId}`)) history.push(event);
    return { state: foldEvents(orderDecider, history), events: history };
  };
  return { store, commands, order };
}

/** Customers, catalog and payments, started, with readers of the states the test checks. */
export interface OtherServices {
  readonly customers: CustomersService;
  readonly catalog: CatalogService;
  readonly payments: PaymentsService;
  product(sku: string): Promise<ReturnType<typeof productDecider.initialState>>;
  /** Stops payments (its requests then wait on the broker), once. */
  stopPayments(): Promise<void>;
  /** The customer's credit answers, by order id. */
  credit(customerId: string): Promise<CustomerState['credit']>;
  /** Credit the customer's open orders hold (reserved, not released). */
  reservedCredit(customerId: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts customers, catalog and payments on one executor and transport.
 *
 * @example
 * const others = await startOtherServices(executor, transport, shopStreams(), decliningGateway());
 */
export async function startOtherServices(
  executor: SqlExecutor,
  transport: Transport,
  streams: ShopStreams,
  gateway: PaymentGateway,
): Promise<OtherServices> {
  const customers = await createCustomersService({
    executor,
    schema: shopTestSchemas.customers,
    transport,
    streams,
  });
  const catalog = await createCatalogService({
    executor,
    schema: shopTestSchemas.catalog,
    transport,
    streams,
  });
  const payments = await createPaymentsService({
    executor,
    schema: shopTestSchemas.payments,
    transport,
    streams,
    gateway,
  });
  for (const service of [customers, catalog, payments]) await service.start();
  let paymentsOpen = true;
  const credit = async (customerId: string) => {
    const events: CustomerEvent[] = [];
    for await (const event of customers.store.readStream<CustomerEvent>(`customer-${customerId}`))
      events.push(event);
    return foldEvents(customerDecider, events).credit;
  };
  return {
    customers,
    catalog,
    payments,
    async stopPayments() {
      if (paymentsOpen) await payments.close();
      paymentsOpen = false;
    },
    async product(sku) {
      const events: ProductEvent[] = [];
      for await (const event of catalog.store.readStream<ProductEvent>(productStream(sku)))
        events.push(event);
      return foldEvents(productDecider, events);
    },
    credit,
    async reservedCredit(customerId) {
      return Object.values(await credit(customerId))
        .filter((hold) => hold.status === 'reserved')
        .reduce((sum, hold) => sum + hold.amountCents, 0);
    },
    async close() {
      if (paymentsOpen) await payments.close();
      paymentsOpen = false;
      await catalog.close();
      await customers.close();
    },
  };
}
