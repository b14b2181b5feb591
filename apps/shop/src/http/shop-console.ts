import type { ConsoleDecider, DuetConsoleOptions } from '@duet/console';
import { productDecider } from '../catalog/product-decider.ts';
import type { Shop } from '../create-shop.ts';
import { customerDecider } from '../customers/customer-decider.ts';
import { orderDecider } from '../orders/order-decider.ts';
import { paymentDecider } from '../payments/payment-decider.ts';

/**
 * What the console at /console shows of the shop: each service's store, processors and
 * broker consumers, and the deciders that give each kind of stream its state. Audit events
 * go to the orders store (`console_audit-<date>`).
 *
 * @example
 * await createShopServer({ ..., console: shopConsole(shop) });
 */
export function shopConsole(shop: Shop): Omit<DuetConsoleOptions, 'authenticate'> {
  const services = [
    ['customers', shop.customers],
    ['catalog', shop.catalog],
    ['orders', shop.orders],
    ['payments', shop.payments],
  ] as const;
  return {
    stores: services.map(([name, service]) => ({ name, store: service.store })),
    processors: services.map(([name, service]) => ({ name, processors: service.processors })),
    consumers: [
      ...shop.customers.consumers,
      ...shop.catalog.consumers,
      ...shop.orders.consumers,
      ...shop.payments.consumers,
      ...shop.history.consumers,
    ],
    deciders: {
      customer: customerDecider as ConsoleDecider,
      product: productDecider as ConsoleDecider,
      order: orderDecider as ConsoleDecider,
      payment: paymentDecider as ConsoleDecider,
    },
    audit: { store: 'orders' },
  };
}
