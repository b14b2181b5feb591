import { type QueryResultOf, runInTenant } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectProblem, sendCommand } from '../../test-support/shop-client.ts';
import {
  type OneProcessShopServer,
  shopBackends,
  startOneProcessShop,
} from '../../test-support/shop-test-server.ts';
import type { OrderHistory } from '../order-history/order-history-queries.ts';

type History = QueryResultOf<typeof OrderHistory>;

const rita = as('key-rita');
// Long enough for the history to take in a write here, short enough for the stale case.
const historyTimeoutMs = 3_000;

/** The order history over HTTP with read tokens in `readToken` parameters. */
function historyWithTokens(url: string, tokens: readonly string[], headers = rita) {
  const search = new URLSearchParams(tokens.map((token): [string, string] => ['readToken', token]));
  return fetch(`${url}/queries/OrderHistory?${search}`, { headers });
}

// Read-your-writes across services over HTTP: every command reply of the one-process shop
// names its write as `<service>@<stream>:<version>`, and the order history, built from the
// other services' events, answers a query carrying it only once it has taken that write in.
// One backend is enough: the tokens are the history's inbox, the same SQL on both (and the
// one-process shop starts slowly); PostgreSQL when it is there.
const backends = shopBackends();
const oneBackend = backends.find((b) => b.kind === 'postgres' && b.available) ?? backends[0]!;

describe.each([oneBackend])(
  'read tokens across services over HTTP on $kind',
  ({ kind, available }) => {
    let server: OneProcessShopServer;

    beforeAll(async () => {
      if (!available) return;
      server = await startOneProcessShop(kind, { historyTimeoutMs });
      // Tea in the catalog, and heard of by orders (which prices carts from its events).
      const staff = as('demo-staff');
      await sendCommand(
        server.url,
        'AddProduct',
        { sku: 'tea', name: 'Green tea', priceCents: 450 },
        staff,
      );
      await sendCommand(server.url, 'ReceiveStock', { sku: 'tea', quantity: 50 }, staff);
      // The demo keys' tenant: the price list, like every table, is per tenant.
      await runInTenant('shop', async () => server.shop.orders.prices?.waitFor(['tea']));
    }, 120_000);
    afterAll(async () => {
      if (available) await server.close();
    });

    it.skipIf(!available)(
      "given a customer who registers and places an order, when the order history is asked with the replies' read tokens, then it shows the order and the name at once; after a rename, the new name",
      async () => {
        const { url } = server;
        const registered = await sendCommand(
          url,
          'RegisterCustomer',
          {
            customerId: 'rita',
            name: 'Rita Levi',
            email: 'rita@example.com',
            shippingAddress: {
              line1: '1 Via Po',
              city: 'Turin',
              postalCode: '10124',
              country: 'IT',
            },
          },
          rita,
        );
        expect(registered.readToken).toBe(
          `customers@${registered.stream}:${registered.streamVersion}`,
        );
        await sendCommand(
          url,
          'AddItem',
          { orderId: 'rita-1', sku: 'tea', quantity: 2, unitPriceCents: 450 },
          rita,
        );
        const placed = await sendCommand(url, 'PlaceOrder', { orderId: 'rita-1' }, rita);
        expect(placed.readToken).toBe(`orders@${placed.stream}:${placed.streamVersion}`);

        const response = await historyWithTokens(url, [registered.readToken!, placed.readToken!]);
        expect(response.status, await response.clone().text()).toBe(200);
        const page = (await response.json()) as History;
        expect(page.orders).toMatchObject([
          { orderId: 'rita-1', customerName: 'Rita Levi', totalCents: 900 },
        ]);

        const renamed = await sendCommand(
          url,
          'RenameCustomer',
          { customerId: 'rita', name: 'Rita Levi-Montalcini' },
          rita,
        );
        // The header this time: the same tokens, comma-separated.
        const byHeader = await fetch(`${url}/queries/OrderHistory`, {
          headers: { ...rita, 'duet-read-tokens': `${renamed.readToken}` },
        });
        expect(byHeader.status, await byHeader.clone().text()).toBe(200);
        expect(((await byHeader.json()) as History).orders[0]?.customerName).toBe(
          'Rita Levi-Montalcini',
        );
      },
      60_000,
    );

    it.skipIf(!available)(
      'given a read token for a version not written yet, when the order history is asked with it, then 503 stale-read with Retry-After naming the token',
      async () => {
        const { url } = server;
        await sendCommand(
          url,
          'AddItem',
          { orderId: 'rita-2', sku: 'tea', quantity: 1, unitPriceCents: 450 },
          rita,
        );
        const placed = await sendCommand(url, 'PlaceOrder', { orderId: 'rita-2' }, rita);
        const ahead = `orders@${placed.stream}:${placed.streamVersion + 1000}`;
        const response = await historyWithTokens(url, [ahead]);
        const problem = await expectProblem(response, 503, 'stale-read');
        expect(response.headers.get('retry-after')).toBe('1');
        expect(problem).toMatchObject({ tokens: [ahead], waitedMs: historyTimeoutMs });
      },
      60_000,
    );

    it.skipIf(!available)(
      'given a store position of one service, when the order history is asked with it, then 501 consistency-unsupported rather than an answer that ignores it',
      async () => {
        const placed = await sendCommand(
          server.url,
          'AddItem',
          { orderId: 'rita-3', sku: 'tea', quantity: 1, unitPriceCents: 450 },
          rita,
        );
        const response = await fetch(
          `${server.url}/queries/OrderHistory?minPosition=${placed.position}`,
          { headers: rita },
        );
        await expectProblem(response, 501, 'consistency-unsupported');
      },
    );
  },
);
