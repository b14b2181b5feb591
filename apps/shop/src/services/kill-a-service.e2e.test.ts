import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  findBalanceProblems,
  findUnsettledOrders,
} from '../../test-support/find-balance-problems.ts';
import { type PlannedOrder, placeOrders } from '../../test-support/place-orders.ts';
import { scaled } from '../../test-support/scaled.ts';
import { addStockedProduct, registerShoppers, shopperRange } from '../../test-support/seed-shop.ts';
import {
  type ShopDeployment,
  type ShopProcessName,
  startShopDeployment,
} from '../../test-support/shop-deployment.ts';

// Any one service SIGKILLed while orders are being placed, then restarted: every order
// still settles, nothing is lost or done twice, and every service's books agree with the
// orders (checked in SQL on each service's own events). One deployment for all cases;
// each case has a product and customers of its own. Demand exceeds stock and a few
// payments are declined, so compensation runs through the fault too. DUET_FULL=1 runs
// larger loads from more clients.
const databaseUrl = inject('databaseUrl');
const natsUrl = inject('natsUrl');
const ORDERS = scaled(36, 150);
const CLIENTS = scaled(3, 6);
const poll = { timeout: 60_000, interval: 250 };
const priceCents = 700;

// Killing the orders command process is not interesting (clients retry): kill the one
// that runs its saga, relay and projections. CI kills the two that hold the most state
// (stock, and the saga with its timers); DUET_FULL=1 kills each of the five in turn.
const victims: readonly ShopProcessName[] =
  process.env.DUET_FULL === '1'
    ? ['customers', 'catalog', 'payments', 'orders-processors', 'order-history']
    : ['catalog', 'orders-processors'];

/** A case's orders: 1-3 units each, about twice as many units as `stockFor` puts in. */
const plannedOrders = (victim: string, shoppers: readonly number[]): PlannedOrder[] =>
  Array.from({ length: ORDERS }, (_, i) => ({
    orderId: `${victim}-${i}`,
    shopper: shoppers[i % shoppers.length]!,
    sku: `stock-${victim}`,
    quantity: 1 + (i % 3),
    unitPriceCents: priceCents,
  }));
const stockFor = Math.round(ORDERS * 1.5);

describe.skipIf(databaseUrl === null || natsUrl === null)(
  'one service SIGKILLed mid-flow under a load of orders',
  () => {
    let shop: ShopDeployment;
    let client: pg.Client;
    const shoppersOf = (victim: ShopProcessName) =>
      shopperRange(victims.indexOf(victim) * CLIENTS, CLIENTS);

    beforeAll(async () => {
      shop = await startShopDeployment({
        databaseUrl: databaseUrl as string,
        natsUrl: natsUrl as string,
        env: { SHOP_PAYMENT_FAILURE_RATE: '0.1', SHOP_PAYMENT_LATENCY_MS: '0-20' },
      });
      client = new pg.Client({ connectionString: databaseUrl as string });
      await client.connect();
      for (const victim of victims) {
        await addStockedProduct(shop.url('catalog'), {
          sku: `stock-${victim}`,
          name: `Spare part for ${victim}`,
          priceCents,
          quantity: stockFor,
        });
      }
      await registerShoppers(shop.url('customers'), victims.flatMap(shoppersOf));
    }, 180_000);

    afterAll(async () => {
      await client?.end();
      await shop?.close();
    }, 60_000);

    it.each(victims)(
      'given orders being placed, when %s is SIGKILLed and restarted, then every order settles once and every service balances',
      async (victim) => {
        const namespace = shop.deployment.namespace;
        const shoppers = shoppersOf(victim);
        const planned = plannedOrders(victim, shoppers);
        const orderIds = planned.map((order) => order.orderId);

        const load = placeOrders(shop.url('orders-api'), planned);
        await load.whenPlaced(Math.ceil(ORDERS / 3));
        await shop.stop(victim, 'SIGKILL');
        await shop.start(victim);
        await load.done;

        await expect.poll(() => findUnsettledOrders(client, namespace, orderIds), poll).toEqual([]);
        await expect
          .poll(
            () =>
              findBalanceProblems(client, namespace, {
                orderIds,
                skus: [`stock-${victim}`],
                customerIds: shoppers.map((n) => `shopper-${n}`),
              }),
            poll,
          )
          .toEqual([]);
      },
      180_000,
    );
  },
);
