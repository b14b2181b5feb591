// Test support: the whole shop (every service, the in-process transport) in the test's own
// process on a fresh PGlite schema, served over HTTP on 127.0.0.1 with the test keys, so a
// test can reach its internals (spans, stores) and its API at once.
import type { AddressInfo } from 'node:net';
import type { DuetConsoleOptions } from '@duet/console';
import { createPostgresIdempotencyStore, isolateTenants } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import type { FastifyInstance } from 'fastify';
import { createShop, type Shop } from '../src/create-shop.ts';
import { seedDemoData } from '../src/demo/seed-demo-data.ts';
import { createShopServer } from '../src/http/create-shop-server.ts';
import { testPrincipals } from './shop-test-server.ts';

export interface ShopInProcess {
  readonly database: TestDatabase;
  readonly shop: Shop;
  readonly app: FastifyInstance;
  /** Where it listens, e.g. `http://127.0.0.1:40123`; empty when `listen` was false. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the shop with its demo data. `console` mounts /console with these options.
 *
 * @example
 * const running = await startShopInProcess({ console: shopConsole });
 * await sendCommand(running.url, 'PlaceOrder', { orderId }, as('demo-ada'));
 */
export async function startShopInProcess(
  options: {
    readonly console?: (shop: Shop) => Omit<DuetConsoleOptions, 'authenticate'>;
    readonly listen?: boolean;
  } = {},
): Promise<ShopInProcess> {
  const database = await openTestDatabase({ kind: 'pglite', migrate: false });
  const shop = await createShop({
    executor: database.executor,
    schemaPrefix: `${database.schema}_`,
  });
  await shop.start();
  await seedDemoData(shop);
  const app = await createShopServer({
    services: shop.served,
    contracts: shop.contracts,
    principals: testPrincipals,
    ...(options.console ? { console: options.console(shop) } : {}),
    idempotency: (service) =>
      createPostgresIdempotencyStore({
        executor: isolateTenants(database.executor),
        schema: `${database.schema}_${service}`,
      }),
    rateLimitPerMinute: 100_000,
  });
  let url = '';
  if (options.listen !== false) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  return {
    database,
    shop,
    app,
    url,
    async close() {
      await app.close();
      await shop.close();
      await database.dispose();
    },
  };
}
