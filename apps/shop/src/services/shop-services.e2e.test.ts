import { randomBytes } from 'node:crypto';
import type { QueryResultOf } from '@duet/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { as, askQuery, postUntilAccepted, sendCommand } from '../../test-support/shop-client.ts';
import {
  removeDeployment,
  type ServiceDeployment,
  type ServiceProcess,
  spawnService,
} from '../../test-support/spawn-service.ts';
import type { ListProducts } from '../catalog/catalog-queries.ts';
import type { GetMyProfile } from '../customers/customer-queries.ts';
import type { OrderHistory } from '../order-history/order-history-queries.ts';
import type { OrderDetail } from '../orders/queries/order-queries.ts';

type Products = QueryResultOf<typeof ListProducts>;
type Profile = QueryResultOf<typeof GetMyProfile>;
type History = QueryResultOf<typeof OrderHistory>;
type Detail = QueryResultOf<typeof OrderDetail>;

// Issue 11, "What it must show": the shop as microservices, each service its own process
// (src/services/main-service.ts) on PostgreSQL, talking over NATS, over real HTTP: the
// whole flow, compensation on stock-out and on a declined payment, the payment timeout
// firing after the orders process was SIGKILLed and restarted, and the history rows with
// names from other services. The orders service runs with its roles split.
const databaseUrl = inject('databaseUrl');
const natsUrl = inject('natsUrl');
const lena = as('key-lena');
const cleo = as('key-cleo');
const staff = as('demo-staff');
const poll = { timeout: 60_000, interval: 100 };

describe.skipIf(databaseUrl === null || natsUrl === null)(
  'the shop as one process per service on PostgreSQL and NATS',
  () => {
    const deployment: ServiceDeployment = {
      databaseUrl: databaseUrl as string,
      natsUrl: natsUrl as string,
      namespace: `t_${randomBytes(5).toString('hex')}`,
    };
    const running = new Map<string, ServiceProcess>();
    const url = (service: string) => running.get(service)!.url;
    const start = async (name: string, service: string, env: Record<string, string> = {}) => {
      running.set(name, await spawnService(deployment, service, env));
    };
    const detail = (orderId: string, who = lena) =>
      askQuery<Detail>(url('orders-query'), 'OrderDetail', { orderId }, who);

    const orderOf = async (who: typeof lena, orderId: string, lines: [string, number][]) => {
      const products = (await askQuery<Products>(url('catalog'), 'ListProducts', {}, who)).products;
      for (const [sku, quantity] of lines) {
        // The price the customer saw; orders prices the line from the catalog's events,
        // which reach it a moment after the catalog's own read model.
        const unitPriceCents = products.find((product) => product.sku === sku)!.priceCents;
        const added = await postUntilAccepted(
          `${url('orders-command')}/commands/AddItem`,
          { orderId, sku, quantity, unitPriceCents },
          who,
          ['UNKNOWN_PRODUCT'],
        );
        expect(added.status, await added.clone().text()).toBe(200);
      }
      return sendCommand(url('orders-command'), 'PlaceOrder', { orderId }, who);
    };

    beforeAll(async () => {
      // Orders with its sides apart: one command process, two query processes (requests
      // alternate between them below), and one processors process (projections, relay, saga).
      await Promise.all([
        start('customers', 'customers'),
        start('catalog', 'catalog'),
        start('payments', 'payments'),
        start('order-history', 'order-history'),
        start('orders-command', 'orders', { SHOP_ROLES: 'command' }),
        start('orders-query', 'orders', { SHOP_ROLES: 'query' }),
        start('orders-query-2', 'orders', { SHOP_ROLES: 'query' }),
        start('orders-processors', 'orders', { SHOP_ROLES: 'processors' }),
      ]);
      for (const [sku, name, priceCents, quantity] of [
        ['tea', 'Green tea', 450, 10],
        ['mug', 'Mug', 1200, 1],
      ] as const) {
        await sendCommand(url('catalog'), 'AddProduct', { sku, name, priceCents }, staff);
        await sendCommand(url('catalog'), 'ReceiveStock', { sku, quantity }, staff);
      }
      for (const [key, customerId, name] of [
        [lena, 'lena', 'Lena Lindqvist'],
        [cleo, 'cleo', 'Cleo Park'],
      ] as const) {
        await sendCommand(
          url('customers'),
          'RegisterCustomer',
          {
            customerId,
            name,
            email: `${customerId}@example.com`,
            shippingAddress: {
              line1: '2 Kungsgatan',
              city: 'Stockholm',
              postalCode: '11143',
              country: 'SE',
            },
          },
          key,
        );
      }
      // The catalog's read model has both products before any order looks up prices.
      while (
        (await askQuery<Products>(url('catalog'), 'ListProducts', {}, lena)).products.length < 2
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }, 180_000);

    afterAll(async () => {
      await Promise.all([...running.values()].map((service) => service.stop('SIGKILL')));
      await removeDeployment(deployment);
    }, 60_000);

    it('given every service in its own process, when a customer places an order over HTTP, then the saga confirms it and the history row carries names from customers and catalog', async () => {
      await orderOf(lena, 'lena-1', [['tea', 2]]);
      await expect.poll(async () => (await detail('lena-1')).status, poll).toBe('confirmed');
      // The other query process of orders answers the same.
      expect(
        (await askQuery<Detail>(url('orders-query-2'), 'OrderDetail', { orderId: 'lena-1' }, lena))
          .status,
      ).toBe('confirmed');
      await expect
        .poll(
          async () =>
            (await askQuery<History>(url('order-history'), 'OrderHistory', {}, lena)).orders,
          poll,
        )
        .toMatchObject([
          {
            orderId: 'lena-1',
            customerName: 'Lena Lindqvist',
            status: 'confirmed',
            paymentState: 'authorized',
            totalCents: 900,
            lines: [{ sku: 'tea', productName: 'Green tea', quantity: 2, unitPriceCents: 450 }],
          },
        ]);
      // Read-your-writes across services: the rename's reply names the customers service
      // and the stream version; the history (another process) answers only once it has
      // consumed it, so the first read shows the new name.
      const renamed = await sendCommand(
        url('customers'),
        'RenameCustomer',
        { customerId: 'lena', name: 'Lena L. Berg' },
        lena,
      );
      expect(renamed.readToken).toBe(`customers@${renamed.stream}:${renamed.streamVersion}`);
      const history = await askQuery<History>(
        url('order-history'),
        'OrderHistory',
        { readToken: renamed.readToken! },
        lena,
      );
      expect(history.orders.map((order) => order.customerName)).toEqual(['Lena L. Berg']);

      // Staff ship it: the saga ships the stock, captures the payment and ends the credit hold.
      await sendCommand(
        url('orders-command'),
        'ShipOrder',
        { orderId: 'lena-1', trackingNumber: 'TRK-1' },
        staff,
      );
      await expect
        .poll(
          async () =>
            (await askQuery<Profile>(url('customers'), 'GetMyProfile', {}, lena)).reservedCents,
          poll,
        )
        .toBe(0);
      await expect
        .poll(
          async () =>
            (await askQuery<History>(url('order-history'), 'OrderHistory', {}, lena)).orders,
          poll,
        )
        .toMatchObject([{ orderId: 'lena-1', status: 'shipped', paymentState: 'captured' }]);
    }, 180_000);

    it('given one mug in stock, when an order asks for two with tea, then it is cancelled for stock and the tea and credit it held are released (lena-1 shipped: nothing else is held)', async () => {
      await orderOf(lena, 'lena-2', [
        ['tea', 1],
        ['mug', 2],
      ]);
      await expect.poll(async () => (await detail('lena-2')).status, poll).toBe('cancelled');
      expect((await detail('lena-2')).cancelReason).toMatch(/out of stock/);
      await expect
        .poll(async () => {
          const products = (await askQuery<Products>(url('catalog'), 'ListProducts', {}, lena))
            .products;
          return Object.fromEntries(products.map((product) => [product.sku, product.available]));
        }, poll)
        .toEqual({ tea: 8, mug: 1 });
      await expect
        .poll(
          async () =>
            (await askQuery<Profile>(url('customers'), 'GetMyProfile', {}, lena)).reservedCents,
          poll,
        )
        .toBe(0);
    }, 180_000);

    it('given a payments process whose gateway declines everything, when an order is placed, then it is cancelled for the payment and its stock and credit are released', async () => {
      await running.get('payments')!.stop('SIGTERM');
      await start('payments', 'payments', { SHOP_PAYMENT_FAILURE_RATE: '1' });
      await orderOf(cleo, 'cleo-1', [['tea', 3]]);
      await expect.poll(async () => (await detail('cleo-1', cleo)).status, poll).toBe('cancelled');
      expect((await detail('cleo-1', cleo)).cancelReason).toMatch(/payment/);
      await expect
        .poll(
          async () =>
            (await askQuery<Profile>(url('customers'), 'GetMyProfile', {}, cleo)).reservedCents,
          poll,
        )
        .toBe(0);
      await expect
        .poll(
          async () =>
            (await askQuery<Products>(url('catalog'), 'ListProducts', {}, cleo)).products.find(
              (p) => p.sku === 'tea',
            )?.available,
          poll,
        )
        .toBe(8);
      await expect
        .poll(
          async () =>
            (await askQuery<History>(url('order-history'), 'OrderHistory', {}, cleo)).orders,
          poll,
        )
        .toMatchObject([{ orderId: 'cleo-1', customerName: 'Cleo Park', status: 'cancelled' }]);
    }, 180_000);

    it('given payments down, when the orders processors are SIGKILLed after the payment timer was set and restarted, then the timer fires and the order is cancelled for the timeout', async () => {
      await running.get('payments')!.stop('SIGTERM');
      running.delete('payments');
      // A short payment timeout, set by a new processors process of orders.
      await running.get('orders-processors')!.stop('SIGTERM');
      await start('orders-processors', 'orders', {
        SHOP_ROLES: 'processors',
        SHOP_PAYMENT_TIMEOUT_MS: '4000',
      });
      await orderOf(cleo, 'cleo-2', [['tea', 1]]);
      const client = new pg.Client({ connectionString: deployment.databaseUrl });
      await client.connect();
      const timers = async () =>
        (
          await client.query<{ kind: string }>(
            `SELECT kind FROM "${deployment.namespace}_orders".timers_v2 WHERE stream LIKE '%cleo-2'`,
          )
        ).rows.map((row) => row.kind);
      try {
        await expect.poll(timers, poll).toEqual(['payment-timeout']);
        await running.get('orders-processors')!.stop('SIGKILL');
        // Still there: the killed process did not fire it, so the restarted one must.
        expect(await timers()).toEqual(['payment-timeout']);
        await start('orders-processors', 'orders', {
          SHOP_ROLES: 'processors',
          SHOP_PAYMENT_TIMEOUT_MS: '4000',
        });
        await expect.poll(timers, poll).toEqual([]);
      } finally {
        await client.end();
      }
      await expect.poll(async () => (await detail('cleo-2', cleo)).status, poll).toBe('cancelled');
      expect((await detail('cleo-2', cleo)).cancelReason).toMatch(/payment/);
      await expect
        .poll(
          async () =>
            (await askQuery<Profile>(url('customers'), 'GetMyProfile', {}, cleo)).reservedCents,
          poll,
        )
        .toBe(0);
    }, 180_000);
  },
);
