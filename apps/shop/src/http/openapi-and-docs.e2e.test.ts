import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as } from '../../test-support/shop-client.ts';
import {
  type ShopTestServer,
  shopBackends,
  startShopTestServer,
} from '../../test-support/shop-test-server.ts';
import { AddItem } from '../orders/order-commands.ts';

interface Operation {
  readonly responses: Record<string, unknown>;
}
// A type alias, not an interface: the validator takes a plain record.
type OpenApiDocument = {
  readonly openapi: string;
  readonly info: { readonly title: string };
  readonly paths: Record<string, Record<string, Operation>>;
};

const ada = as('demo-ada');
const staff = as('demo-staff');

// A valid call for every documented operation; a route added to the API without one here
// fails the coverage test below.
const calls: Record<string, { key: Record<string, string>; body?: unknown; search?: string }> = {
  'post /commands/AddItem': {
    key: ada,
    body: { orderId: 'doc-1', sku: 'tea', quantity: 2, unitPriceCents: 450 },
  },
  'post /commands/RemoveItem': { key: ada, body: { orderId: 'doc-1', sku: 'tea', quantity: 1 } },
  'post /commands/PlaceOrder': { key: ada, body: { orderId: 'doc-1' } },
  'post /commands/ConfirmOrder': { key: staff, body: { orderId: 'doc-1' } },
  'post /commands/CancelOrder': { key: ada, body: { orderId: 'doc-2', reason: 'test' } },
  'post /commands/ShipOrder': { key: staff, body: { orderId: 'doc-1', trackingNumber: 'T-1' } },
  'get /queries/MyOrders': { key: ada, search: '?limit=5&status=shipped' },
  'post /queries/MyOrders': { key: ada, body: { limit: 5 } },
  'get /queries/MyOrders/live': { key: ada, search: '?limit=5' },
  'get /queries/OrderDetail': { key: ada, search: '?orderId=doc-1' },
  'post /queries/OrderDetail': { key: staff, body: { orderId: 'doc-1' } },
  'get /queries/OrderDetail/live': { key: ada, search: '?orderId=doc-1' },
  'get /queries/OrderAsOf': { key: ada, search: '?orderId=doc-1&version=1' },
  'post /queries/OrderAsOf': { key: staff, body: { orderId: 'doc-1', version: 2 } },
  'get /queries/OrderAsOf/live': { key: ada, search: '?orderId=doc-1&version=1' },
  // Staff read the orders store's streams: {stream} is doc-1's, written by the calls above.
  'get /streams/orders/{stream}': { key: staff },
  'get /streams/orders/{stream}/events': { key: staff, search: '?limit=5' },
  'get /health/live': { key: {} },
  'get /health/ready': { key: {} },
};

// Issue 5: the OpenAPI document validates, every route in it is exercised, and the docs
// page works offline.
describe.each(shopBackends())('the OpenAPI document and /docs on $kind', ({ kind, available }) => {
  let shop: ShopTestServer;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    if (!available) return;
    shop = await startShopTestServer(kind);
    await shop.orders.commands.send(
      AddItem.create({ orderId: 'doc-2', sku: 'pen', quantity: 1, unitPriceCents: 150 }),
      { actor: 'ada', tenant: 'shop', roles: ['customer'] },
    );
    const response = await fetch(`${shop.url}/openapi.json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as OpenApiDocument;
  });
  afterAll(async () => {
    if (available) await shop.close();
  });

  it.skipIf(!available)(
    'given /openapi.json, when validated as OpenAPI 3.1, then it is valid and titled for the shop',
    async () => {
      expect(doc.openapi).toMatch(/^3\.1\./);
      expect(doc.info.title).toBe('Duet shop: orders');
      const result = await new Validator().validate(doc);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
    },
  );

  it.skipIf(!available)(
    'given every path and method in the document, when each is called in turn, then each answers 2xx with a documented status',
    async () => {
      const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
      );
      expect(operations.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
        Object.keys(calls).sort(),
      );
      for (const { path, method, operation } of operations) {
        const call = calls[`${method} ${path}`]!;
        const controller = new AbortController();
        const concrete = path.replace('{stream}', 'order-doc-1');
        const response = await fetch(`${shop.url}${concrete}${call.search ?? ''}`, {
          method: method.toUpperCase(),
          headers: {
            ...call.key,
            ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
          signal: controller.signal,
        });
        const label = `${method} ${path}`;
        expect(Object.keys(operation.responses), label).toContain(String(response.status));
        expect(response.status, label).toBeLessThan(300);
        if (path.startsWith('/queries/') && path.endsWith('/live')) {
          expect(response.headers.get('content-type'), label).toContain('text/event-stream');
          controller.abort();
        } else {
          await response.text();
        }
      }
    },
  );

  it.skipIf(!available)(
    'given /docs, when fetched, then an HTML page comes back whose every asset is served by the shop itself',
    async () => {
      const page = await fetch(`${shop.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
      expect(html).not.toMatch(/@import\s+url\(\s*["']?(?:https?:)?\/\//i);
      const assets = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => match[1]!);
      expect(assets.length).toBeGreaterThan(2);
      for (const asset of assets) {
        const response = await fetch(new URL(asset, `${shop.url}/docs/`));
        expect(response.status, asset).toBe(200);
        await response.arrayBuffer();
      }
      const initializer = await fetch(`${shop.url}/docs/static/swagger-initializer.js`);
      expect(initializer.status).toBe(200);
      const script = await initializer.text();
      // The document comes from this server, and swagger.io's online validator is off.
      expect(script).not.toMatch(/url:\s*["']https?:\/\//);
      expect(script).toContain('validatorUrl: null');
    },
  );
});
