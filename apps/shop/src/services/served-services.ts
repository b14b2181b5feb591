import type {
  CommandBus,
  CommandDefinition,
  EventStore,
  QueryBus,
  QueryDefinition,
} from '@duet/core';
import type { LiveSource } from '@duet/http';
import type { ServedService } from '../http/create-shop-server.ts';
import { orderHistoryQueries } from '../order-history/order-history-queries.ts';

/** What a service hands the HTTP API: its buses, definitions, live source and processors. */
interface ServiceParts {
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  readonly definitions: {
    readonly commands: readonly CommandDefinition[];
    readonly queries: readonly QueryDefinition[];
  };
  readonly live?: LiveSource;
  readonly processors?: ServedService['processors'];
  readonly consumers?: ServedService['consumers'];
  readonly store?: EventStore;
}

const served = (name: string, description: string, parts: ServiceParts): ServedService => ({
  name,
  description,
  commands: parts.commands,
  queries: parts.queries,
  definitions: parts.definitions,
  ...(parts.live ? { live: parts.live } : {}),
  ...(parts.processors ? { processors: parts.processors } : {}),
  ...(parts.consumers ? { consumers: parts.consumers } : {}),
  ...(parts.store ? { store: parts.store } : {}),
});

/** The customers service under its OpenAPI tag. */
export const servedCustomers = (parts: ServiceParts) =>
  served('customers', 'Registration, names, shipping addresses and credit limits.', parts);

/** The catalog-and-stock service under its OpenAPI tag. */
export const servedCatalog = (parts: ServiceParts) =>
  served('catalog', 'Products, prices and stock.', parts);

/** The payments service under its OpenAPI tag. */
export const servedPayments = (parts: ServiceParts) =>
  served('payments', 'Payments of orders; voids and refunds (staff).', parts);

/** The order history under its OpenAPI tag: queries only. */
export const servedHistory = (history: {
  readonly queries: QueryBus;
  readonly live: LiveSource;
  readonly consumers: readonly { readonly name: string; readonly lastError: string | undefined }[];
}): ServedService => ({
  name: 'order-history',
  description:
    "Orders with the customer's name, product names and payment state, from every service's events.",
  commands: {
    send: () => Promise.reject(new Error('order history takes no commands')),
  },
  queries: history.queries,
  live: history.live,
  consumers: history.consumers,
  definitions: { commands: [], queries: orderHistoryQueries },
});
