import type { QueryResultOf } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStream } from '../../test-support/event-stream.ts';
import {
  as,
  askQuery,
  expectProblem,
  postJson,
  postUntilAccepted,
  sendCommand,
} from '../../test-support/shop-client.ts';
import {
  type OneProcessShopServer,
  shopBackends,
  startOneProcessShop,
} from '../../test-support/shop-test-server.ts';
import type { ListProducts } from '../catalog/catalog-queries.ts';
import type { GetMyProfile } from '../customers/customer-queries.ts';
import type { OrderHistory } from '../order-history/order-history-queries.ts';
import type { OrderAsOf } from '../orders/queries/order-as-of.ts';
import type { OrderDetail } from '../orders/queries/order-queries.ts';

type Products = QueryResultOf<typeof ListProducts>;
type History = QueryResultOf<typeof OrderHistory>;
type Detail = QueryResultOf<typeof OrderDetail>;
type Profile = QueryResultOf<typeof GetMyProfile>;
type AsOf = QueryResultOf<typeof OrderAsOf>;

const lena = as('key-lena');
const staff = as('demo-staff');

// Issue 11, "How it runs": the shop in one process (every service, the placement saga over
// the in-process transport) behind one HTTP API; a newcomer's order end to end over HTTP.
describe.each(shopBackends())(
  'the shop in one process over HTTP on $kind',
  ({ kind, available }) => {
    let server: OneProcessShopServer;

    beforeAll(async () => {
      if (!available) return;
      server = await startOneProcessShop(kind);
      // What the demo data does on first run: products in stock, added by staff over HTTP.
      for (const [sku, name, priceCents] of [
        ['tea', 'Green tea', 450],
        ['mug', 'Mug', 1200],
      ] as const) {
        await sendCommand(server.url, 'AddProduct', { sku, name, priceCents }, staff);
        await sendCommand(server.url, 'ReceiveStock', { sku, quantity: 10 }, staff);
      }
    }, 120_000);
    afterAll(async () => {
      if (available) await server.close();
    });

    it.skipIf(!available)(
      'given products in stock, when a customer registers, fills a cart from the product list and places it, then the saga confirms the order and the order history shows it with names',
      async () => {
        const { url } = server;
        await sendCommand(
          url,
          'RegisterCustomer',
          {
            customerId: 'lena',
            name: 'Lena Lindqvist',
            email: 'lena@example.com',
            shippingAddress: {
              line1: '2 Kungsgatan',
              city: 'Stockholm',
              postalCode: '11143',
              country: 'SE',
            },
          },
          lena,
        );
        const poll = { timeout: 60_000, interval: 100 };
        await expect
          .poll(
            async () => (await askQuery<Products>(url, 'ListProducts', {}, lena)).products,
            poll,
          )
          .toMatchObject([
            { sku: 'mug', name: 'Mug', priceCents: 1200, available: 10 },
            { sku: 'tea', name: 'Green tea', priceCents: 450, available: 10 },
          ]);
        const products = (await askQuery<Products>(url, 'ListProducts', {}, lena)).products;
        for (const product of products) {
          await sendCommand(
            url,
            'AddItem',
            {
              orderId: 'lena-1',
              sku: product.sku,
              quantity: 2,
              unitPriceCents: product.priceCents,
            },
            lena,
          );
        }
        const placed = await sendCommand(url, 'PlaceOrder', { orderId: 'lena-1' }, lena);
        const atPlacement = await askQuery<Detail>(
          url,
          'OrderDetail',
          { orderId: 'lena-1', minPosition: placed.position },
          lena,
        );
        // Read at the placement's position: placed at least (the saga may be done already).
        expect(['placed', 'confirmed']).toContain(atPlacement.status);
        expect(atPlacement.version).toBeGreaterThanOrEqual(placed.streamVersion);

        await expect
          .poll(
            async () =>
              (await askQuery<Detail>(url, 'OrderDetail', { orderId: 'lena-1' }, lena)).status,
            poll,
          )
          .toBe('confirmed');
        await expect
          .poll(async () => (await askQuery<History>(url, 'OrderHistory', {}, lena)).orders, poll)
          .toMatchObject([
            {
              orderId: 'lena-1',
              customerId: 'lena',
              customerName: 'Lena Lindqvist',
              status: 'confirmed',
              totalCents: 2 * 1200 + 2 * 450,
              paymentState: 'authorized',
              lines: expect.arrayContaining([
                { sku: 'mug', productName: 'Mug', quantity: 2, unitPriceCents: 1200 },
                { sku: 'tea', productName: 'Green tea', quantity: 2, unitPriceCents: 450 },
              ]),
            },
          ]);
        // The stock the order holds is no longer available to others.
        await expect
          .poll(
            async () =>
              (await askQuery<Products>(url, 'ListProducts', {}, lena)).products.map(
                (product) => product.available,
              ),
            poll,
          )
          .toEqual([8, 8]);
      },
      180_000,
    );

    it.skipIf(!available)(
      'given a product in the catalog, when a customer adds it with no price, a stale price or a wrong sku, then the line takes the catalog price, the stale price and the unknown sku are refused, and a placed order keeps its price after a price change',
      async () => {
        const { url } = server;
        const cleo = as('key-cleo');
        await sendCommand(
          url,
          'AddProduct',
          { sku: 'kettle', name: 'Kettle', priceCents: 3000 },
          staff,
        );
        await sendCommand(url, 'ReceiveStock', { sku: 'kettle', quantity: 5 }, staff);
        // Orders hears of the product through the catalog's events: until then it is unknown.
        const added = await postUntilAccepted(
          `${url}/commands/AddItem`,
          { orderId: 'cleo-1', sku: 'kettle', quantity: 1 },
          cleo,
          ['UNKNOWN_PRODUCT'],
        );
        expect(added.status, await added.clone().text()).toBe(200);
        const { position: addedAt } = (await added.json()) as { position: string };
        const cart = await askQuery<Detail>(
          url,
          'OrderDetail',
          { orderId: 'cleo-1', minPosition: addedAt },
          cleo,
        );
        expect(cart.lines).toEqual([
          expect.objectContaining({ sku: 'kettle', quantity: 1, unitPriceCents: 3000 }),
        ]);
        const stale = await expectProblem(
          await postJson(
            `${url}/commands/AddItem`,
            { orderId: 'cleo-1', sku: 'kettle', quantity: 1, unitPriceCents: 0 },
            cleo,
          ),
          422,
          'domain-rule',
        );
        expect(stale).toMatchObject({
          rule: 'PRICE_CHANGED',
          details: { sku: 'kettle', priceCents: 3000 },
        });
        const unknown = await expectProblem(
          await postJson(
            `${url}/commands/AddItem`,
            { orderId: 'cleo-1', sku: 'no-such-thing', quantity: 1 },
            cleo,
          ),
          422,
          'domain-rule',
        );
        expect(unknown).toMatchObject({ rule: 'UNKNOWN_PRODUCT' });
        const placed = await sendCommand(url, 'PlaceOrder', { orderId: 'cleo-1' }, cleo);

        await sendCommand(url, 'ChangePrice', { sku: 'kettle', priceCents: 3500 }, staff);
        // A new cart pays the new price once orders has heard of it (quoted, so it waits).
        const repriced = await postUntilAccepted(
          `${url}/commands/AddItem`,
          { orderId: 'cleo-2', sku: 'kettle', quantity: 1, unitPriceCents: 3500 },
          cleo,
          ['PRICE_CHANGED'],
        );
        expect(repriced.status, await repriced.clone().text()).toBe(200);
        const { position: repricedAt } = (await repriced.json()) as { position: string };
        const detail = (orderId: string, minPosition: string) =>
          askQuery<Detail>(url, 'OrderDetail', { orderId, minPosition }, cleo);
        expect((await detail('cleo-1', placed.position)).lines).toEqual([
          expect.objectContaining({ sku: 'kettle', unitPriceCents: 3000 }),
        ]);
        expect((await detail('cleo-2', repricedAt)).lines).toEqual([
          expect.objectContaining({ sku: 'kettle', unitPriceCents: 3500 }),
        ]);

        await sendCommand(url, 'DiscontinueProduct', { sku: 'kettle' }, staff);
        const gone = await postUntilAccepted(
          `${url}/commands/AddItem`,
          { orderId: 'cleo-3', sku: 'kettle', quantity: 1 },
          cleo,
          [],
        );
        // Accepted while orders has not heard yet; then refused for good.
        let refused = gone;
        while (refused.status === 200) {
          refused = await postJson(
            `${url}/commands/AddItem`,
            { orderId: `cleo-${Date.now()}`, sku: 'kettle', quantity: 1 },
            cleo,
          );
        }
        expect(await expectProblem(refused, 422, 'domain-rule')).toMatchObject({
          rule: 'PRODUCT_DISCONTINUED',
        });
      },
      180_000,
    );

    it.skipIf(!available)(
      'given a confirmed order, when it is cancelled, then compensating events undo it (stock and credit come back, nothing is deleted) and OrderAsOf and CustomerAsOf show any earlier version or moment, to their owner and staff only',
      async () => {
        const { url } = server;
        const burst = as('key-burst');
        const bob = as('demo-bob');
        await sendCommand(
          url,
          'RegisterCustomer',
          {
            customerId: 'burst',
            name: 'Bea Urst',
            email: 'burst@example.com',
            shippingAddress: { line1: '1 Way', city: 'Oslo', postalCode: '0150', country: 'NO' },
          },
          burst,
        );
        const poll = { timeout: 60_000, interval: 100 };
        const mugs = async () =>
          (await askQuery<Products>(url, 'ListProducts', {}, burst)).products.find(
            (product) => product.sku === 'mug',
          )?.available;
        const before = await mugs();
        const added = await postUntilAccepted(
          `${url}/commands/AddItem`,
          { orderId: 'burst-1', sku: 'mug', quantity: 1 },
          burst,
          ['UNKNOWN_PRODUCT'],
        );
        expect(added.status).toBe(200);
        await sendCommand(url, 'PlaceOrder', { orderId: 'burst-1' }, burst);
        const detail = () => askQuery<Detail>(url, 'OrderDetail', { orderId: 'burst-1' }, burst);
        await expect.poll(async () => (await detail()).status, poll).toBe('confirmed');
        await expect
          .poll(
            async () => (await askQuery<Profile>(url, 'GetMyProfile', {}, burst)).reservedCents,
            poll,
          )
          .toBe(1200);
        const whileConfirmed = new Date().toISOString();

        await sendCommand(
          url,
          'CancelOrder',
          { orderId: 'burst-1', reason: 'changed my mind' },
          burst,
        );
        await expect.poll(async () => (await detail()).status, poll).toBe('cancelled');
        // The saga compensates: the credit and the mug it held come back.
        await expect
          .poll(
            async () => (await askQuery<Profile>(url, 'GetMyProfile', {}, burst)).reservedCents,
            poll,
          )
          .toBe(0);
        await expect.poll(mugs, poll).toBe(before);

        const asOf = (params: Record<string, string | number>, who = burst) =>
          askQuery<AsOf>(url, 'OrderAsOf', { orderId: 'burst-1', ...params }, who);
        const last = (await detail()).version;
        expect(await asOf({ version: 1 })).toMatchObject({
          version: 1,
          status: 'cart',
          lines: [{ sku: 'mug', quantity: 1, unitPriceCents: 1200 }],
          totalCents: 1200,
        });
        expect(await asOf({ version: 2 })).toMatchObject({ version: 2, status: 'placed' });
        expect(await asOf({ at: whileConfirmed })).toMatchObject({ status: 'confirmed' });
        // Every event is still there: the cancellation is one more, never a deletion.
        expect(await asOf({ version: last })).toMatchObject({ version: last, status: 'cancelled' });
        expect((await asOf({ version: last }, staff)).status).toBe('cancelled');
        await expectProblem(
          await fetch(`${url}/queries/OrderAsOf?orderId=burst-1&version=1`, { headers: bob }),
          404,
          'not-found',
        );
        await expectProblem(
          await fetch(`${url}/queries/OrderAsOf?orderId=burst-1&version=1&at=${whileConfirmed}`, {
            headers: burst,
          }),
          400,
          'validation',
        );

        await sendCommand(url, 'RenameCustomer', { customerId: 'burst', name: 'Bea Burst' }, burst);
        const customerAsOf = (params: Record<string, string | number>, who = burst) =>
          askQuery<{ name: string; version: number }>(
            url,
            'CustomerAsOf',
            { customerId: 'burst', ...params },
            who,
          );
        expect(await customerAsOf({ version: 1 })).toMatchObject({ version: 1, name: 'Bea Urst' });
        expect(await customerAsOf({ at: new Date().toISOString() })).toMatchObject({
          name: 'Bea Burst',
        });
        expect((await customerAsOf({ version: 1 }, staff)).name).toBe('Bea Urst');
        await expectProblem(
          await fetch(`${url}/queries/CustomerAsOf?customerId=burst&version=1`, { headers: bob }),
          404,
          'not-found',
        );
      },
      180_000,
    );

    it.skipIf(!available)(
      'given a live order-history query, when the customer renames themself, then a new answer with the new name arrives on the open stream',
      async () => {
        const { url } = server;
        const stream = await openEventStream(`${url}/queries/OrderHistory/live`, lena);
        try {
          const first = JSON.parse((await stream.next(30_000)).data) as History;
          expect(first.orders.map((order) => order.customerName)).toContain('Lena Lindqvist');
          await sendCommand(url, 'RenameCustomer', { customerId: 'lena', name: 'Lena Lind' }, lena);
          let names: (string | null)[] = [];
          while (!names.includes('Lena Lind')) {
            const next = JSON.parse((await stream.next(30_000)).data) as History;
            names = next.orders.map((order) => order.customerName);
          }
          expect(names.every((name) => name === 'Lena Lind')).toBe(true);
        } finally {
          stream.close();
        }
      },
      120_000,
    );

    it.skipIf(!available)(
      'given the one-process shop, when its documents are read, then /docs lists one OpenAPI tag per service and /asyncapi.json has every service’s events',
      async () => {
        const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
          tags: { name: string }[];
          paths: Record<string, Record<string, { tags: string[] }>>;
        };
        expect(doc.tags.map((tag) => tag.name)).toEqual([
          'customers',
          'catalog',
          'orders',
          'payments',
          'order-history',
          'streams',
          'health',
        ]);
        expect(doc.paths['/commands/RegisterCustomer']?.post?.tags).toEqual(['customers']);
        // Staff read each service's event streams (GET /streams/<service>/<stream>/events).
        expect(doc.paths['/streams/orders/{stream}/events']?.get?.tags).toEqual(['streams']);
        expect(doc.paths['/queries/ListProducts']?.get?.tags).toEqual(['catalog']);
        expect(doc.paths['/commands/PlaceOrder']?.post?.tags).toEqual(['orders']);
        expect(doc.paths['/queries/GetPayment']?.get?.tags).toEqual(['payments']);
        expect(doc.paths['/queries/OrderHistory']?.get?.tags).toEqual(['order-history']);
        const docs = await fetch(`${server.url}/docs`);
        expect(docs.status).toBe(200);
        await docs.text();
        const asyncapi = (await (await fetch(`${server.url}/asyncapi.json`)).json()) as {
          channels: Record<string, unknown>;
        };
        const channels = JSON.stringify(Object.keys(asyncapi.channels));
        for (const service of ['orders', 'customers', 'catalog', 'payments']) {
          expect(channels, service).toContain(service);
        }
      },
    );
  },
);
