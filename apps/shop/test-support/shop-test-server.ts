// Test support for the shop's end-to-end tests: the orders service and its HTTP API built
// in-process on a fresh schema (PGlite or PostgreSQL) and listening on 127.0.0.1, port 0.
import type { AddressInfo } from 'node:net';
import type { Principal } from '@duet/http';
import { createPostgresIdempotencyStore, migrate } from '@duet/postgres';
import { openTestDatabase, type TestDatabase, testDatabaseUrl } from '@duet/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createShop, type Shop } from '../src/create-shop.ts';
import { createShopServer, servedOrders } from '../src/http/create-shop-server.ts';
import { shopPrincipals } from '../src/http/shop-principals.ts';
import { createOrdersService, type OrdersService } from '../src/orders/orders-service.ts';

export type BackendKind = 'pglite' | 'postgres';

/** Both backends; PostgreSQL only when the test run found a server (scripts/test-services.ts). */
export function shopBackends(): { kind: BackendKind; available: boolean }[] {
  return [
    { kind: 'pglite', available: true },
    { kind: 'postgres', available: inject('databaseUrl') !== null },
  ];
}

/** How many load-test customers have keys: `shopperKey(n)` for n below this. */
export const SHOPPERS = 300;

/**
 * The API key of load-test customer `shopper-<n>` (n < SHOPPERS), for tests that need many
 * customers, each with a credit limit and a rate limit of its own.
 *
 * @example
 * await sendCommand(url, 'PlaceOrder', { orderId }, as(shopperKey(7))); // as shopper-7
 */
export const shopperKey = (n: number): string => `key-shopper-${n}`;

/**
 * The API keys of the tests: the demo keys `npm start` prints (demo-ada, demo-bob,
 * demo-staff), a customer per test that needs an order list of its own, the shoppers, and
 * a read-only console viewer (key-vera).
 */
export const testPrincipals: Record<string, Principal> = {
  ...shopPrincipals({}),
  ...Object.fromEntries(
    Array.from({ length: SHOPPERS }, (_, n): [string, Principal] => [
      shopperKey(n),
      { id: `shopper-${n}`, tenant: 'shop', roles: ['customer'] },
    ]),
  ),
  'key-cleo': { id: 'cleo', tenant: 'shop', roles: ['customer'] },
  'key-many': { id: 'many', tenant: 'shop', roles: ['customer'] },
  'key-ryw': { id: 'ryw', tenant: 'shop', roles: ['customer'] },
  'key-lena': { id: 'lena', tenant: 'shop', roles: ['customer'] },
  'key-burst': { id: 'burst', tenant: 'shop', roles: ['customer'] },
  'key-rita': { id: 'rita', tenant: 'shop', roles: ['customer'] },
  'key-vera': { id: 'vera', tenant: 'shop', roles: ['console-viewer'] },
  // Authenticated, but of no tenant: every data operation must refuse it.
  'key-nobody': { id: 'nobody', roles: ['customer', 'staff'] },
};

/** What a test compares before and after hostile requests: nothing may move. */
export interface ShopDataSnapshot {
  readonly events: number;
  readonly myOrders: string;
  readonly orderDetail: string;
}

export interface ShopTestServer {
  readonly url: string;
  readonly kind: BackendKind;
  readonly orders: OrdersService;
  readonly database: TestDatabase;
  /** Another server on the same service, e.g. with a small rate limit; closed with this one. */
  startSibling(options: { rateLimitPerMinute: number }): Promise<string>;
  /** Event count and both read models' rows, once the projections reached the head. */
  snapshot(): Promise<ShopDataSnapshot>;
  close(): Promise<void>;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/**
 * Starts the shop's HTTP API on a fresh schema. A generous rate limit by default, so only
 * the test about rate limits meets it.
 *
 * @example
 * const shop = await startShopTestServer('pglite');
 * await fetch(`${shop.url}/health/ready`);
 */
export async function startShopTestServer(kind: BackendKind): Promise<ShopTestServer> {
  const database = await openTestDatabase({ kind, migrate: false });
  const orders = await createOrdersService({
    executor: database.executor,
    schema: database.schema,
    ...(kind === 'postgres' ? { databaseUrl: testDatabaseUrl() } : {}),
  });
  await orders.start();
  const idempotency = createPostgresIdempotencyStore({
    executor: database.executor,
    schema: database.schema,
  });
  const build = (rateLimitPerMinute: number) =>
    createShopServer({
      services: [servedOrders(orders)],
      principals: testPrincipals,
      idempotency,
      rateLimitPerMinute,
    });
  const apps = [await build(100_000)];
  const url = await listen(apps[0]!);

  async function readModelRows(name: string): Promise<string> {
    const { tables, executor } = await orders.processors.readModel(name);
    const { rows } = await executor.query(
      `SELECT * FROM ${tables.name('orders')} ORDER BY order_id`,
    );
    return JSON.stringify(rows);
  }

  return {
    url,
    kind,
    orders,
    database,
    async startSibling({ rateLimitPerMinute }) {
      const app = await build(rateLimitPerMinute);
      apps.push(app);
      return listen(app);
    },
    async snapshot() {
      const head = await orders.store.headPosition();
      await orders.processors.waitForPosition({
        projections: ['my_orders', 'order_detail'],
        minPosition: head,
        tokens: [],
        timeoutMs: 10_000,
        queryType: 'snapshot',
      });
      let events = 0;
      for await (const _ of orders.store.readAll()) events++;
      return {
        events,
        myOrders: await readModelRows('my_orders'),
        orderDetail: await readModelRows('order_detail'),
      };
    },
    async close() {
      for (const app of apps) await app.close();
      await orders.close();
      // The store schema (events, idempotency_keys) goes with dispose(); the runner's go here.
      for (const suffix of ['_projections', '_read']) {
        await database.executor.query(
          `DROP SCHEMA IF EXISTS "${database.schema}${suffix}" CASCADE`,
        );
      }
      await database.dispose();
    },
  };
}

export interface OneProcessShopServer {
  readonly url: string;
  readonly kind: BackendKind;
  readonly shop: Shop;
  close(): Promise<void>;
}

/**
 * Starts the whole shop as `npm start` runs it (every service, the placement saga, the
 * in-process transport, one HTTP API) on fresh schemas, without demo data;
 * `historyTimeoutMs` shortens the order history's read-token waits.
 *
 * @example
 * const server = await startOneProcessShop('pglite');
 * await fetch(`${server.url}/queries/ListProducts`, { headers: { 'x-api-key': 'demo-ada' } });
 */
export async function startOneProcessShop(
  kind: BackendKind,
  options: { readonly historyTimeoutMs?: number } = {},
): Promise<OneProcessShopServer> {
  const database = await openTestDatabase({ kind, migrate: false });
  const prefix = `${database.schema}_`;
  const shop = await createShop({
    ...options,
    executor: database.executor,
    schemaPrefix: prefix,
    ...(kind === 'postgres' ? { databaseUrl: testDatabaseUrl() } : {}),
  });
  await shop.start();
  await migrate(database.executor, { schema: database.schema });
  const app = await createShopServer({
    services: shop.served,
    contracts: shop.contracts,
    principals: testPrincipals,
    // Per service, as npm start does: each key completes in its command's append.
    idempotency: (service) =>
      createPostgresIdempotencyStore({
        executor: database.executor,
        schema: `${prefix}${service}`,
      }),
    rateLimitPerMinute: 100_000,
  });
  const url = await listen(app);
  return {
    url,
    kind,
    shop,
    async close() {
      await app.close();
      await shop.close();
      const { rows } = await database.executor.query<{ name: string }>(
        `SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)`,
        [prefix],
      );
      for (const { name } of rows) {
        await database.executor.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      }
      await database.dispose();
    },
  };
}
