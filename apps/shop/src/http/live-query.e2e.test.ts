import type { QueryResultOf } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStream } from '../../test-support/event-stream.ts';
import { as, sendCommand } from '../../test-support/shop-client.ts';
import {
  type ShopTestServer,
  shopBackends,
  startShopTestServer,
} from '../../test-support/shop-test-server.ts';
import type { MyOrders, OrderDetail } from '../orders/queries/order-queries.ts';

type Page = QueryResultOf<typeof MyOrders>;
type Detail = QueryResultOf<typeof OrderDetail>;

const lena = as('key-lena');
const staff = as('demo-staff');

// Issue 5: live queries over Server-Sent Events push a new result after a command moves the
// projections behind them.
describe.each(shopBackends())('live queries over HTTP on $kind', ({ kind, available }) => {
  let shop: ShopTestServer;

  beforeAll(async () => {
    if (available) shop = await startShopTestServer(kind);
  });
  afterAll(async () => {
    if (available) await shop.close();
  });

  it.skipIf(!available)(
    'given an open MyOrders live stream, when the customer adds an item and places the order, then the stream sends each new list',
    async () => {
      const stream = await openEventStream(`${shop.url}/queries/MyOrders/live?limit=5`, lena);
      try {
        expect(stream.response.status).toBe(200);
        expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
        const first = await stream.next();
        expect(first.event).toBe('result');
        expect(JSON.parse(first.data)).toEqual({ orders: [], next: null });

        const orderId = `live-${kind}`;
        await sendCommand(
          shop.url,
          'AddItem',
          { orderId, sku: 'tea', quantity: 2, unitPriceCents: 450 },
          lena,
        );
        const added = await stream.next();
        expect(added.event).toBe('result');
        expect((JSON.parse(added.data) as Page).orders).toMatchObject([
          { orderId, status: 'cart', itemCount: 2, totalCents: 900 },
        ]);

        await sendCommand(shop.url, 'PlaceOrder', { orderId }, lena);
        const placed = await stream.next();
        expect((JSON.parse(placed.data) as Page).orders).toMatchObject([
          { orderId, status: 'placed' },
        ]);
      } finally {
        stream.close();
      }
    },
  );

  it.skipIf(!available)(
    "given a customer's OrderDetail live stream, when staff confirm the order, then the customer sees it confirmed; another customer's stream is refused",
    async () => {
      const orderId = `live-detail-${kind}`;
      await sendCommand(
        shop.url,
        'AddItem',
        { orderId, sku: 'mug', quantity: 1, unitPriceCents: 1200 },
        lena,
      );
      const { position } = await sendCommand(shop.url, 'PlaceOrder', { orderId }, lena);
      const stream = await openEventStream(
        `${shop.url}/queries/OrderDetail/live?orderId=${orderId}&minPosition=${position}`,
        lena,
      );
      try {
        expect((JSON.parse((await stream.next()).data) as Detail).status).toBe('placed');
        await sendCommand(shop.url, 'ConfirmOrder', { orderId }, staff);
        expect((JSON.parse((await stream.next()).data) as Detail).status).toBe('confirmed');
      } finally {
        stream.close();
      }
      const other = await fetch(
        `${shop.url}/queries/OrderDetail/live?orderId=${orderId}&minPosition=${position}`,
        { headers: as('demo-bob') },
      );
      expect(other.status).toBe(404);
      await other.text();
    },
  );
});
