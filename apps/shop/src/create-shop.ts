import { createInProcessTransport, runAsSystem, type Transport } from '@duet/core';
import { isolateTenants, type SqlExecutor } from '@duet/postgres';
import type { Logger } from 'pino';
import { createCatalogService } from './catalog/catalog-service.ts';
import { catalogContracts } from './contracts/catalog-contracts.ts';
import { customersContracts } from './contracts/customer-contracts.ts';
import { shopStreams } from './contracts/message-streams.ts';
import { ordersContracts } from './contracts/order-placement-contracts.ts';
import { paymentsContracts } from './contracts/payment-contracts.ts';
import { createCustomersService, customerKeysSchema } from './customers/customers-service.ts';
import { type ServedService, servedOrders } from './http/create-shop-server.ts';
import { createOrderHistoryService } from './order-history/order-history-service.ts';
import { createOrdersService } from './orders/orders-service.ts';
import { createPaymentsService } from './payments/payments-service.ts';
import {
  servedCatalog,
  servedCustomers,
  servedHistory,
  servedPayments,
} from './services/served-services.ts';

export interface ShopOptions {
  readonly executor: SqlExecutor;
  /** Prefixes every service's schema (`<prefix>customers`, ...), e.g. for tests [none]. */
  readonly schemaPrefix?: string;
  /** For the processors' partition leases on PostgreSQL. */
  readonly databaseUrl?: string;
  /** The broker [an in-process transport, closed with the shop]. */
  readonly transport?: Transport;
  /** How long an order-history query waits for its read tokens [5,000 ms]. */
  readonly historyTimeoutMs?: number;
  /** Each service logs through a child of it (`{ service: 'orders' }`) [none]. */
  readonly logger?: Logger;
}

/** The shop's services in this process, each on its own schema, by name. */
export const shopServiceNames = [
  'customers',
  'catalog',
  'orders',
  'payments',
  'order_history',
] as const;

/**
 * The whole shop in one process on one database: customers, catalog, orders (with the
 * placement saga), payments and order history, a schema each, talking over one transport
 * (in-process by default). `start()` starts them all; `close()` stops them, the transport
 * last if it made it. `served` is what the HTTP API serves; `contracts` what it documents.
 *
 * @example
 * const shop = await createShop({ executor });
 * await shop.start();
 * const app = await createShopServer({ services: shop.served, contracts: shop.contracts, ... });
 */
export function createShop(options: ShopOptions) {
  // Everything the shop opens, starts and closes is the system's work, across tenants;
  // requests run as their principal's tenant (runInTenant, in the buses and the HTTP edge).
  return runAsSystem(() => openShop(options));
}

async function openShop(options: ShopOptions) {
  // Enforced by PostgreSQL: each tenant's statements run as duet_app under row policies.
  const executor = isolateTenants(options.executor);
  const prefix = options.schemaPrefix ?? '';
  const transport = options.transport ?? createInProcessTransport();
  const streams = shopStreams();
  const common = {
    executor,
    transport,
    streams,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
  };
  const logger = (service: string) =>
    options.logger ? { logger: options.logger.child({ service }) } : {};
  const customers = await createCustomersService({
    ...common,
    schema: `${prefix}customers`,
    ...logger('customers'),
  });
  const catalog = await createCatalogService({
    ...common,
    schema: `${prefix}catalog`,
    ...logger('catalog'),
  });
  const payments = await createPaymentsService({
    ...common,
    schema: `${prefix}payments`,
    ...logger('payments'),
  });
  const history = await createOrderHistoryService({
    ...logger('order_history'),
    executor,
    transport,
    streams,
    schema: `${prefix}order_history`,
    customerKeysSchema: customerKeysSchema(`${prefix}customers`),
    ...(options.historyTimeoutMs === undefined
      ? {}
      : { defaultTimeoutMs: options.historyTimeoutMs }),
  });
  const orders = await createOrdersService({
    ...logger('orders'),
    executor,
    schema: `${prefix}orders`,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    messaging: { transport, streams },
  });
  const served: ServedService[] = [
    servedCustomers(customers),
    servedCatalog(catalog),
    servedOrders(orders),
    servedPayments(payments),
    servedHistory(history),
  ];
  return {
    transport,
    customers,
    catalog,
    payments,
    history,
    orders,
    served,
    contracts: [ordersContracts, customersContracts, catalogContracts, paymentsContracts],
    schemas: shopServiceNames.map((name) => `${prefix}${name}`),
    start: () =>
      runAsSystem(async () => {
        // Every stream first: consumers read streams other services publish on.
        await transport.ensureStreams(Object.values(streams));
        await customers.start();
        await catalog.start();
        await payments.start();
        await orders.start();
        await history.start();
      }),
    close: () =>
      runAsSystem(async () => {
        await history.close();
        await orders.close();
        await payments.close();
        await catalog.close();
        await customers.close();
        if (!options.transport) await transport.close();
      }),
  };
}

export type Shop = Awaited<ReturnType<typeof openShop>>;
