import type { QueryResultOf } from '@duet/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  findBalanceProblems,
  findUnsettledOrders,
} from '../../test-support/find-balance-problems.ts';
import { placeOrders } from '../../test-support/place-orders.ts';
import { scaled } from '../../test-support/scaled.ts';
import { addStockedProduct, registerShoppers, shopperRange } from '../../test-support/seed-shop.ts';
import { readOrderOutcomes, readStockLedger, statusOf } from '../../test-support/shop-balances.ts';
import { as, askQuery } from '../../test-support/shop-client.ts';
import { type ShopDeployment, startShopDeployment } from '../../test-support/shop-deployment.ts';
import { shopperKey } from '../../test-support/shop-test-server.ts';
import type { ListProducts } from '../catalog/catalog-queries.ts';
import type { GetMyProfile } from '../customers/customer-queries.ts';
import type { OrderDetail } from '../orders/queries/order-queries.ts';

type Products = QueryResultOf<typeof ListProducts>;
type Profile = QueryResultOf<typeof GetMyProfile>;
type Detail = QueryResultOf<typeof OrderDetail>;

// The last items of a product, fought over by many customers at once, every service in its
// own process: the catalog must sell exactly what it has, and every loser's credit and
// payment must be given back. DUET_FULL=1 runs it three times larger.
const databaseUrl = inject('databaseUrl');
const natsUrl = inject('natsUrl');
const poll = { timeout: 60_000, interval: 250 };
const STOCK = scaled(10, 30);
const ORDERS = scaled(100, 300);
const sku = 'last-lamp';
const priceCents = 2_500;

describe.skipIf(databaseUrl === null || natsUrl === null)(
  'the last items of a product, one process per service',
  () => {
    let shop: ShopDeployment;
    let client: pg.Client;
    const shoppers = shopperRange(0, ORDERS);
    const orderIds = shoppers.map((n) => `lamp-${n}`);

    beforeAll(async () => {
      shop = await startShopDeployment({
        databaseUrl: databaseUrl as string,
        natsUrl: natsUrl as string,
      });
      client = new pg.Client({ connectionString: databaseUrl as string });
      await client.connect();
      await addStockedProduct(shop.url('catalog'), {
        sku,
        name: 'Brass lamp',
        priceCents,
        quantity: STOCK,
      });
      await registerShoppers(shop.url('customers'), shoppers);
    }, 180_000);

    afterAll(async () => {
      await client?.end();
      await shop?.close();
    }, 60_000);

    it(`given ${STOCK} lamps in stock, when ${ORDERS} customers each order one at once, then exactly ${STOCK} are confirmed and the rest cancelled for stock, none is left and none was ever short, and credit and payments balance`, async () => {
      const namespace = shop.deployment.namespace;
      await placeOrders(
        shop.url('orders-api'),
        shoppers.map((n, i) => ({
          orderId: orderIds[i]!,
          shopper: n,
          sku,
          quantity: 1,
          unitPriceCents: priceCents,
        })),
      ).done;

      await expect.poll(() => findUnsettledOrders(client, namespace, orderIds), poll).toEqual([]);
      const outcomes = [...(await readOrderOutcomes(client, namespace, orderIds)).values()];
      const confirmed = outcomes.filter((order) => statusOf(order) === 'confirmed');
      const cancelled = outcomes.filter((order) => statusOf(order) === 'cancelled');
      expect({ confirmed: confirmed.length, cancelled: cancelled.length }).toEqual({
        confirmed: STOCK,
        cancelled: ORDERS - STOCK,
      });
      expect(cancelled.filter((order) => !/out of stock/.test(order.cancelReason ?? ''))).toEqual(
        [],
      );

      // Every service agrees, in its own events: stock, credit, payments, history.
      await expect
        .poll(
          () =>
            findBalanceProblems(client, namespace, {
              orderIds,
              skus: [sku],
              customerIds: shoppers.map((n) => `shopper-${n}`),
            }),
          poll,
        )
        .toEqual([]);
      const ledger = await readStockLedger(client, namespace, sku);
      expect(ledger).toMatchObject({ onHand: STOCK, reserved: STOCK, leastAvailable: 0 });

      // And so do the read sides, over HTTP.
      const available = async () =>
        (
          await askQuery<Products>(shop.url('catalog'), 'ListProducts', {}, as('demo-staff'))
        ).products.find((product) => product.sku === sku)?.available;
      await expect.poll(available, poll).toBe(0);
      const winners = new Set(confirmed.map((order) => order.orderId));
      const answers = async () =>
        Promise.all(
          shoppers.map(async (n, i) => {
            const who = as(shopperKey(n));
            const detail = await askQuery<Detail>(
              shop.url('orders-api'),
              'OrderDetail',
              { orderId: orderIds[i]! },
              who,
            );
            const profile = await askQuery<Profile>(shop.url('customers'), 'GetMyProfile', {}, who);
            return {
              status: detail.status,
              outOfStock: /out of stock/.test(detail.cancelReason ?? ''),
              reservedCents: profile.reservedCents,
            };
          }),
        );
      await expect
        .poll(answers, poll)
        .toEqual(
          orderIds.map((orderId) =>
            winners.has(orderId)
              ? { status: 'confirmed', outOfStock: false, reservedCents: priceCents }
              : { status: 'cancelled', outOfStock: true, reservedCents: 0 },
          ),
        );
    }, 240_000);
  },
);
