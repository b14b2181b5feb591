import { createPostgresIdempotencyStore } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPrincipals } from '../../test-support/shop-test-server.ts';
import { createShop, type Shop } from '../create-shop.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { createShopServer } from './create-shop-server.ts';
import { shopConsole } from './shop-console.ts';

// Issue 12: the shop serves the console at /console, with the demo keys (demo-staff acts).
let database: TestDatabase;
let shop: Shop;
let app: FastifyInstance;

beforeAll(async () => {
  database = await openTestDatabase({ kind: 'pglite', migrate: false });
  shop = await createShop({ executor: database.executor, schemaPrefix: `${database.schema}_` });
  await shop.start();
  await seedDemoData(shop);
  app = await createShopServer({
    services: shop.served,
    principals: testPrincipals,
    idempotency: createPostgresIdempotencyStore({
      executor: database.executor,
      schema: `${database.schema}_orders`,
    }),
    console: shopConsole(shop),
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await shop?.close();
  await database?.dispose();
});

const get = (url: string, key = 'demo-staff') => app.inject({ url, headers: { 'x-api-key': key } });

describe('the shop console', () => {
  it('given the demo data, when staff browse, then orders, an order with its state, processors and dead letters show; a customer is refused', async () => {
    const streams = await get('/console/streams?store=orders&by=category&q=order');
    expect(streams.statusCode).toBe(200);
    expect(streams.body).toContain('order-demo-1');
    const order = await get('/console/streams/orders/order-demo-1');
    expect(order.statusCode).toBe(200);
    expect(order.body).toContain('id="state"');
    expect((await get('/console/processors')).body).toContain('data-processor="orders/');
    expect((await get('/console/dead-letters')).statusCode).toBe(200);
    expect((await get('/console/streams', 'demo-ada')).statusCode).toBe(403);
  });
});
