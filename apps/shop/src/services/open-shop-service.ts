import { type Contracts, type EventStore, runAsSystem, type Transport } from '@duet/core';
import { isolateTenants, type SqlExecutor } from '@duet/postgres';
import type { Logger } from 'pino';
import { createCatalogService } from '../catalog/catalog-service.ts';
import { catalogContracts } from '../contracts/catalog-contracts.ts';
import { customersContracts } from '../contracts/customer-contracts.ts';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { ordersContracts } from '../contracts/order-placement-contracts.ts';
import { paymentsContracts } from '../contracts/payment-contracts.ts';
import { createCustomersService, customerKeysSchema } from '../customers/customers-service.ts';
import { type ServedService, servedOrders } from '../http/create-shop-server.ts';
import { createOrderHistoryService } from '../order-history/order-history-service.ts';
import { createOrdersService } from '../orders/orders-service.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import { createPaymentsService } from '../payments/payments-service.ts';
import {
  servedCatalog,
  servedCustomers,
  servedHistory,
  servedPayments,
} from './served-services.ts';

/** The shop's services, as `SHOP_SERVICE` names them. */
export const shopServices = [
  'customers',
  'catalog',
  'orders',
  'payments',
  'order-history',
] as const;
export type ShopServiceName = (typeof shopServices)[number];

export interface ShopServiceOptions {
  readonly executor: SqlExecutor;
  readonly transport: Transport;
  readonly streams: ShopStreams;
  /** Prefixes the service's schemas (`<prefix>orders`, ...) [none]. */
  readonly schemaPrefix?: string;
  /** For the processors' partition leases on PostgreSQL. */
  readonly databaseUrl?: string;
  /** Payments only: the gateway [one that approves everything at once]. */
  readonly gateway?: PaymentGateway;
  /** Orders only: how long the saga waits for the payment's answer. */
  readonly paymentTimeoutMs?: number;
  /** The service logs through a child of it (`{ service: 'orders' }`) [none]. */
  readonly logger?: Logger;
}

/** One service of the shop, ready to serve over HTTP and to run its processors. */
export interface OpenedShopService {
  readonly name: ShopServiceName;
  /** Its schema (events, inbox); processors and read models live beside it. */
  readonly schema: string;
  readonly served: ServedService;
  /** What it publishes, for the AsyncAPI document (none for the order history). */
  readonly contracts: readonly Contracts[];
  /** Its event store (none for the order history, which only consumes). */
  readonly store: EventStore | undefined;
  /** Starts its processors: projections, relay, consumers, and for orders the saga. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens one service of the shop on its own schema (migrated on the way), as a process of
 * `npm run start:services` runs it. Opening serves commands and queries; `start()` adds the
 * processors, so a process can take any of the roles (service-roles.ts).
 *
 * @example
 * const orders = await openShopService('orders', { executor, transport, streams: shopStreams() });
 * await orders.start();
 */
export function openShopService(
  name: ShopServiceName,
  options: ShopServiceOptions,
): Promise<OpenedShopService> {
  // Opening, starting and closing are the system's work; requests run as their tenant.
  return runAsSystem(() => openService(name, options));
}

async function openService(
  name: ShopServiceName,
  options: ShopServiceOptions,
): Promise<OpenedShopService> {
  const { transport, streams } = options;
  // Enforced by PostgreSQL: each tenant's statements run as duet_app under row policies.
  const executor = isolateTenants(options.executor);
  const prefix = options.schemaPrefix ?? '';
  const leases = options.databaseUrl ? { databaseUrl: options.databaseUrl } : {};
  const logged = options.logger ? { logger: options.logger.child({ service: name }) } : {};
  const common = { executor, transport, streams, ...leases, ...logged };
  switch (name) {
    case 'customers': {
      const schema = `${prefix}customers`;
      const service = await createCustomersService({ ...common, schema });
      return opened(name, schema, servedCustomers(service), [customersContracts], service);
    }
    case 'catalog': {
      const schema = `${prefix}catalog`;
      const service = await createCatalogService({ ...common, schema });
      return opened(name, schema, servedCatalog(service), [catalogContracts], service);
    }
    case 'payments': {
      const schema = `${prefix}payments`;
      const service = await createPaymentsService({
        ...common,
        schema,
        ...(options.gateway ? { gateway: options.gateway } : {}),
      });
      return opened(name, schema, servedPayments(service), [paymentsContracts], service);
    }
    case 'orders': {
      const schema = `${prefix}orders`;
      const service = await createOrdersService({
        executor,
        schema,
        ...leases,
        ...logged,
        messaging: {
          transport,
          streams,
          ...(options.paymentTimeoutMs === undefined
            ? {}
            : { paymentTimeoutMs: options.paymentTimeoutMs }),
        },
      });
      return opened(name, schema, servedOrders(service), [ordersContracts], service);
    }
    case 'order-history': {
      const schema = `${prefix}order_history`;
      const service = await createOrderHistoryService({
        executor,
        transport,
        streams,
        schema,
        customerKeysSchema: customerKeysSchema(`${prefix}customers`),
        ...logged,
      });
      return opened(name, schema, servedHistory(service), [], { ...service, store: undefined });
    }
  }
}

function opened(
  name: ShopServiceName,
  schema: string,
  served: ServedService,
  contracts: readonly Contracts[],
  service: { store: EventStore | undefined; start(): Promise<void>; close(): Promise<void> },
): OpenedShopService {
  return {
    name,
    schema,
    served,
    contracts,
    store: service.store,
    start: () => runAsSystem(() => service.start()),
    close: () => runAsSystem(() => service.close()),
  };
}
