import { runAsSystem } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  askQuery,
  expectProblem,
  postJson,
  sendCommand,
} from '../../test-support/shop-client.ts';
import { type ShopInProcess, startShopInProcess } from '../../test-support/shop-in-process.ts';
import { shopConsole } from './shop-console.ts';

// The shop's two demo tenants over HTTP (issue 13): `shop` (demo-ada, demo-staff) and
// `outlet` (demo-cy, demo-outlet-staff) share a sku (`tea`) and an order id (`demo-1`), and
// each sees only its own, through every service's queries, commands and the console. A
// principal without a tenant is refused before anything is read or written.

interface Product {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
}
interface StreamEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: { readonly tenant?: string };
}
interface Detail {
  readonly customerId: string;
  readonly lines: readonly { sku: string; quantity: number }[];
}

describe('two tenants in one shop', () => {
  let running: ShopInProcess;
  const ask = <T>(type: string, params: Record<string, string | number>, key: string) =>
    askQuery<T>(running.url, type, params, as(key));

  beforeAll(async () => {
    running = await startShopInProcess({ console: shopConsole });
  }, 180_000);
  afterAll(() => running?.close());

  it('given the same sku in both tenants, then each tenant reads its own product and list', async () => {
    expect(await ask<Product>('GetProduct', { sku: 'tea' }, 'demo-ada')).toMatchObject({
      name: 'Green tea',
      priceCents: 450,
    });
    expect(await ask<Product>('GetProduct', { sku: 'tea' }, 'demo-cy')).toMatchObject({
      name: 'Black tea',
      priceCents: 300,
    });
    const skus = async (key: string) =>
      (await ask<{ products: Product[] }>('ListProducts', { limit: 50 }, key)).products.map(
        (product) => product.sku,
      );
    expect(await skus('demo-ada')).toEqual(['mug', 'notebook', 'pen', 'tea']);
    expect(await skus('demo-cy')).toEqual(['lamp', 'tea']);
    await expectProblem(
      await fetch(`${running.url}/queries/GetProduct?sku=lamp`, { headers: as('demo-ada') }),
      404,
      'not-found',
    );
  });

  it('given an order id both tenants use, then each customer and each staff sees their own tenant’s order only', async () => {
    const detail = (key: string) => ask<Detail>('OrderDetail', { orderId: 'demo-1' }, key);
    expect(await detail('demo-ada')).toMatchObject({
      customerId: 'ada',
      lines: expect.arrayContaining([expect.objectContaining({ sku: 'mug' })]),
    });
    expect(await detail('demo-cy')).toMatchObject({
      customerId: 'cy',
      lines: expect.arrayContaining([expect.objectContaining({ sku: 'lamp' })]),
    });
    const customersIn = async (key: string) => {
      const { orders } = await ask<{ orders: { customerId: string }[] }>(
        'SearchOrders',
        { limit: 50 },
        key,
      );
      return [...new Set(orders.map((order) => order.customerId))].sort();
    };
    expect(await customersIn('demo-staff')).toEqual(['ada', 'bob']);
    expect(await customersIn('demo-outlet-staff')).toEqual(['cy']);
  });

  it('given a command naming the other tenant’s cart, then it lands in the sender’s tenant and the other cart is untouched', async () => {
    const before = await ask<Detail>('OrderDetail', { orderId: 'demo-2' }, 'demo-ada');
    await sendCommand(
      running.url,
      'AddItem',
      { orderId: 'demo-2', sku: 'lamp', quantity: 1 },
      as('demo-cy'),
    );
    expect(await ask<Detail>('OrderDetail', { orderId: 'demo-2' }, 'demo-ada')).toEqual(before);
    expect(await ask<Detail>('OrderDetail', { orderId: 'demo-2' }, 'demo-cy')).toMatchObject({
      customerId: 'cy',
      lines: [expect.objectContaining({ sku: 'lamp', quantity: 1 })],
    });
  });

  it('given a principal with no tenant, then commands and queries are refused 403 tenant-required (anonymous ones 401) and nothing is written', async () => {
    const count = () =>
      runAsSystem(async () => {
        const { rows } = await running.database.executor.query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM "${running.database.schema}_orders".events`,
        );
        return rows[0]!.n;
      });
    const before = await count();
    await expectProblem(
      await postJson(
        `${running.url}/commands/AddItem`,
        { orderId: 'no-tenant', sku: 'tea', quantity: 1 },
        as('key-nobody'),
      ),
      403,
      'tenant-required',
    );
    for (const [type, query] of [
      ['MyOrders', ''],
      ['GetProduct', '?sku=tea'],
      ['SearchOrders', ''],
    ]) {
      await expectProblem(
        await fetch(`${running.url}/queries/${type}${query}`, { headers: as('key-nobody') }),
        403,
        'tenant-required',
      );
    }
    // Anonymous: refused before any tenant question (the API wants a principal).
    await expectProblem(await fetch(`${running.url}/queries/ListProducts`), 401, 'unauthenticated');
    expect(await count()).toBe(before);
  });

  it('given a stream name both tenants use, when each tenant’s staff reads it over HTTP, then each sees its own tenant’s events only; customers are refused 403 and a staff key without a tenant 403 tenant-required', async () => {
    const read = async (key: string, accept = 'application/json') => {
      const response = await fetch(`${running.url}/streams/orders/order-demo-1/events`, {
        headers: { ...as(key), accept },
      });
      expect(response.status, key).toBe(200);
      const text = await response.text();
      return accept === 'application/json'
        ? (JSON.parse(text) as { events: StreamEvent[] }).events
        : text
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as StreamEvent);
    };
    for (const accept of ['application/json', 'application/x-ndjson']) {
      const shop = await read('demo-staff', accept);
      const outlet = await read('demo-outlet-staff', accept);
      expect(shop.length).toBeGreaterThan(0);
      expect(outlet.length).toBeGreaterThan(0);
      expect(new Set(shop.map((event) => event.metadata.tenant))).toEqual(new Set(['shop']));
      expect(new Set(outlet.map((event) => event.metadata.tenant))).toEqual(new Set(['outlet']));
      expect(JSON.stringify(shop)).toContain('"mug"');
      expect(JSON.stringify(shop)).not.toContain('"lamp"');
      expect(JSON.stringify(outlet)).toContain('"lamp"');
      expect(JSON.stringify(outlet)).not.toContain('"mug"');
    }
    // Only the shop has customer ada: the outlet's staff gets the 404 a missing stream gets.
    const info = (key: string) =>
      fetch(`${running.url}/streams/customers/customer-ada`, { headers: as(key) });
    expect((await info('demo-staff')).status).toBe(200);
    await expectProblem(await info('demo-outlet-staff'), 404, 'not-found');
    await expectProblem(await info('demo-ada'), 403, 'forbidden');
    await expectProblem(await info('key-nobody'), 403, 'tenant-required');
  });

  it('given each tenant’s staff in the console, then the stream list shows that tenant’s customers only', async () => {
    const page = async (key: string) =>
      (
        await running.app.inject({
          url: '/console/streams?store=customers&by=category&q=customer',
          headers: { 'x-api-key': key },
        })
      ).body;
    const shop = await page('demo-staff');
    expect(shop).toContain('customer-ada');
    expect(shop).not.toContain('customer-cy');
    const outlet = await page('demo-outlet-staff');
    expect(outlet).toContain('customer-cy');
    expect(outlet).not.toContain('customer-ada');
  });
});
