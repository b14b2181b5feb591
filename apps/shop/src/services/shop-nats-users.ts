import type { MessageStreamDefinition } from '@duet/core';
import {
  type NatsServicePermissionsOptions,
  type NatsUser,
  natsAuthorizationConfig,
  natsServicePermissions,
} from '@duet/nats';
import { catalogContracts } from '../contracts/catalog-contracts.ts';
import { customersContracts } from '../contracts/customer-contracts.ts';
import { shopStreams } from '../contracts/message-streams.ts';
import { ordersContracts } from '../contracts/order-placement-contracts.ts';
import { paymentsContracts } from '../contracts/payment-contracts.ts';
import { historyConsumerName } from '../order-history/history-consumers.ts';
import { priceListConsumerName } from '../orders/pricing/price-list-consumer.ts';
import type { ShopServiceName } from './open-shop-service.ts';
import { type ShopDeadLetterLayout, shopDeadLetters } from './shop-dead-letters.ts';

/** What `shopNatsUsers` takes: the deployment's settings that change subjects and names. */
export interface ShopNatsUsersOptions {
  /** As `SHOP_NAMESPACE` (default none). */
  readonly namespace?: string;
  /** As `NATS_TENANT_SUBJECTS` (default false). */
  readonly tenantSubjects?: boolean;
  /** As `NATS_DEAD_LETTERS` (default `per-service`: with the shared stream a service's user reads every service's dead letters). */
  readonly deadLetters?: ShopDeadLetterLayout;
}

/**
 * What each shop service publishes (its relay's contracts) and which durable consumers it
 * runs on whose streams: the input of `natsServicePermissions`, per service.
 *
 * @example
 * const { orders } = shopNatsGrants({ tenantSubjects: true }); // orders.consumes[0].durable === 'orders_price_list'
 */
export function shopNatsGrants(
  options: ShopNatsUsersOptions = {},
): Record<ShopServiceName, NatsServicePermissionsOptions> {
  const ns = options.namespace;
  const streams = shopStreams(ns ? { prefix: ns.toUpperCase() } : {});
  const common = (service: string) => ({
    tenantSubjects: options.tenantSubjects ?? false,
    ...(ns ? { subjectPrefix: ns } : {}),
    deadLetters: shopDeadLetters({
      service,
      namespace: ns,
      layout: options.deadLetters ?? 'per-service',
    }),
  });
  // The durable names the services give their consumers (the orders service's start with its schema).
  const orders = `${ns ? `${ns}_` : ''}orders`;
  const from = (stream: MessageStreamDefinition, durable: string) => ({ stream, durable });
  return {
    customers: {
      ...common('customers'),
      service: 'customers',
      publishes: { stream: streams.customers, contracts: customersContracts },
      consumes: [from(streams.orders, 'customers_credit_requests')],
    },
    catalog: {
      ...common('catalog'),
      service: 'catalog',
      publishes: { stream: streams.catalog, contracts: catalogContracts },
      consumes: [from(streams.orders, 'catalog_stock_requests')],
    },
    orders: {
      ...common('orders'),
      service: 'orders',
      publishes: { stream: streams.orders, contracts: ordersContracts },
      consumes: [
        from(streams.catalog, priceListConsumerName(orders)),
        from(streams.catalog, `${orders}_placement_catalog`),
        from(streams.customers, `${orders}_placement_customers`),
        from(streams.payments, `${orders}_placement_payments`),
      ],
    },
    payments: {
      ...common('payments'),
      service: 'payments',
      publishes: { stream: streams.payments, contracts: paymentsContracts },
      consumes: [from(streams.orders, 'payments_requests')],
    },
    'order-history': {
      ...common('order-history'),
      service: 'order-history',
      consumes: (['orders', 'customers', 'catalog', 'payments'] as const).map((source) =>
        from(streams[source], historyConsumerName(source)),
      ),
    },
  };
}

/**
 * One NATS user per shop service (issue 13), named after the service, its password read
 * by nats-server from `NATS_PASSWORD_<SERVICE>` (`NATS_PASSWORD_ORDER_HISTORY`): what each
 * publishes (its relay's contracts) and which durable consumers it runs on whose streams.
 * `deploy/nats/shop-users.conf` is its output; `npm run nats-users --workspace apps/shop`
 * prints it for other settings.
 *
 * @example
 * writeFileSync('shop-users.conf', natsAuthorizationConfig(shopNatsUsers({ tenantSubjects: true })));
 */
export function shopNatsUsers(options: ShopNatsUsersOptions = {}): NatsUser[] {
  return Object.values(shopNatsGrants(options)).map((grants) => ({
    user: grants.service,
    password: { env: `NATS_PASSWORD_${grants.service.toUpperCase().replaceAll('-', '_')}` },
    permissions: natsServicePermissions(grants),
  }));
}

/**
 * The nats-server config block with the shop's users.
 *
 * @example
 * console.log(shopNatsUsersConfig({ namespace: 'staging' }));
 */
export function shopNatsUsersConfig(options: ShopNatsUsersOptions = {}): string {
  const settings = [
    options.namespace ? `SHOP_NAMESPACE=${options.namespace}` : '',
    options.tenantSubjects ? 'NATS_TENANT_SUBJECTS=true' : '',
    `NATS_DEAD_LETTERS=${options.deadLetters ?? 'per-service'}`,
  ].filter(Boolean);
  return [
    "# The shop services' NATS users (issue 13; docs/nats.md), one per service, made by",
    `# apps/shop/src/services/shop-nats-users.ts for ${settings.join(' ')}.`,
    "# Each password comes from the server's environment (NATS_PASSWORD_<SERVICE>); the",
    '# service process gets the same as NATS_USER=<service> NATS_PASSWORD=<it>.',
    natsAuthorizationConfig(shopNatsUsers(options)),
  ].join('\n');
}
