import type { ConsoleDecider, DuetConsoleOptions } from '@duet/console';
import type { RecordedEvent } from '@duet/core';
import { productDecider } from '../catalog/product-decider.ts';
import type { Shop } from '../create-shop.ts';
import { customerDecider } from '../customers/customer-decider.ts';
import { orderDecider } from '../orders/order-decider.ts';
import type { PlacementEvent } from '../orders/placement/placement-state.ts';
import { sagaTimeline } from '../orders/placement/saga-timeline.ts';
import { timersOf } from '../orders/placement/timer-table.ts';
import { paymentDecider } from '../payments/payment-decider.ts';

// The placement saga's undo steps (saga-timeline.ts words them).
const compensationSteps = /compensation|release requested|void requested/;

/**
 * What the console at /console shows of the shop: each service's store, processors and
 * broker consumers, the deciders that give each kind of stream its state, and the
 * placement saga's timelines and timers. Audit events
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
    sagas: [
      {
        name: 'placement',
        store: 'orders',
        category: 'placement',
        timeline: (events) =>
          sagaTimeline(events as readonly RecordedEvent<PlacementEvent>[]).map((entry) => ({
            ...entry,
            compensation: compensationSteps.test(entry.step),
          })),
        timers: (stream) => timersOf(shop.orders.store.executor, shop.orders.store.schema, stream),
      },
    ],
    audit: { store: 'orders' },
  };
}
