import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { runInTenant } from '@duet/core';
import { createPgExecutor, createPostgresEventStore, isolateTenants } from '@duet/postgres';
import { type ReadyProcess, spawnUntilReady } from '../shop/spawn-until-ready.ts';
import { forEachCart, httpApiKeys, orderIdOf, seededItem, TENANT } from './place-order-carts.ts';

const entry = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'apps',
  'shop',
  'src',
  'services',
  'main-service.ts',
);

/** The shop's orders service, running as its own process in the `command` role. */
export interface ShopOrdersService {
  readonly url: string;
  readonly pid: number;
  /** Puts `carts` carts (one `ItemAdded` each) in its store as tenant `shop`, then ANALYZE. */
  seed(carts: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the shop's orders service as a deployment runs it (`apps/shop/src/services/
 * main-service.ts`, `SHOP_SERVICE=orders SHOP_ROLES=command`): the command API alone, no
 * projections, relay or saga in the process, on `databaseUrl` under a fresh
 * `SHOP_NAMESPACE`, with the bench's API keys and a rate limit never reached. Everything the
 * shop does per command runs: API-key auth, rate limit, schema check, tenant isolation,
 * the command bus with the order decider, the read token in the answer.
 *
 * @example
 * const orders = await startShopOrdersService(db.url, natsUrl);
 * await orders.seed(20_000);
 */
export async function startShopOrdersService(
  databaseUrl: string,
  natsUrl: string,
  nodeArgs: readonly string[] = ['--import', 'tsx'],
): Promise<ShopOrdersService> {
  const namespace = `bench_${randomBytes(4).toString('hex')}`;
  const ready: ReadyProcess = await spawnUntilReady(
    [...nodeArgs, entry],
    {
      SHOP_SERVICE: 'orders',
      SHOP_ROLES: 'command',
      DATABASE_URL: databaseUrl,
      NATS_URL: natsUrl,
      SHOP_NAMESPACE: namespace,
      PORT: '0',
      HOST: '127.0.0.1',
      SHOP_API_KEYS: JSON.stringify(httpApiKeys),
      SHOP_RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: 'warn',
    },
    /ready at (http:\/\/\S+) in/,
    180_000,
  );
  const pid = ready.child.pid;
  if (pid === undefined) throw new Error('the orders service has no pid');
  return {
    url: ready.ready[1] ?? '',
    pid,
    async seed(carts) {
      // Through Duet's own API, as the tenant whose customers will place them.
      const executor = createPgExecutor({ connectionString: databaseUrl });
      const store = createPostgresEventStore({
        executor: isolateTenants(executor),
        schema: `${namespace}_orders`,
      });
      try {
        await forEachCart(carts, 64, (cart) =>
          runInTenant(TENANT, () =>
            store.append(`order-${orderIdOf(cart)}`, [seededItem(cart)], {
              expectedVersion: 'no_stream',
            }),
          ),
        );
        await executor.query('ANALYZE');
      } finally {
        await store.close();
        await executor.close();
      }
    },
    stop: () => ready.stop(),
  };
}
