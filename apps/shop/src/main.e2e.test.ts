import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { QueryResultOf } from '@duet/core';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { as, askQuery } from '../test-support/shop-client.ts';
import { freePort, type ShopProcess, spawnShop } from '../test-support/spawn-shop.ts';
import type { MyOrders, OrderDetail } from './orders/queries/order-queries.ts';

const root = resolve(import.meta.dirname, '../../..');
const shopDir = resolve(import.meta.dirname, '..');
// Not a speed check: how fast `npm start` is ready is measured by scripts/smoke-start.mjs
// (on a quiet machine). Here it only bounds how long to wait for a shop that never comes up.
const readyWithinMs = 120_000;
const databaseUrl = inject('databaseUrl');

type Page = QueryResultOf<typeof MyOrders>;
type Detail = QueryResultOf<typeof OrderDetail>;

/** The lines `npm start` must print: where the API and its docs are. */
function expectAddresses(output: string, url: string) {
  expect(output).toContain(`API   ${url} `);
  expect(output).toContain(`docs  ${url}/docs`);
}

// Issue 5: `npm start` serves the API, prints where, and Ctrl-C stops it
// cleanly; the demo data is seeded once; DATABASE_URL switches it to PostgreSQL.
describe('the shop as a real process', { timeout: 180_000 }, () => {
  let dataDir: string;
  let running: ShopProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'duet-shop-e2e-'));
  });
  afterEach(() => {
    running?.kill();
    running = undefined;
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('given a fresh data folder, when `npm start` runs, then the API answers with demo data, prints its URLs and stops on SIGINT', async () => {
    const port = await freePort();
    const shop = spawnShop('npm', ['start'], { cwd: root, env: { SHOP_DATA_DIR: dataDir }, port });
    running = shop;
    const readyMs = await shop.waitUntilReady(readyWithinMs);
    console.log(`npm start on PGlite: ready ${(readyMs / 1000).toFixed(1)} s after spawn`);
    await expect.poll(() => shop.output()).toContain('Ctrl-C stops');
    expectAddresses(shop.output(), shop.url);
    expect(shop.output()).toContain('first run: 26 demo commands');
    expect(shop.output()).toContain('demo-ada');

    await expect
      .poll(async () => (await askQuery<Page>(shop.url, 'MyOrders', {}, as('demo-ada'))).orders)
      .toMatchObject([
        { orderId: 'demo-2', status: 'cart' },
        { orderId: 'demo-1', status: 'shipped' },
      ]);
    const docs = await fetch(`${shop.url}/docs`);
    expect(docs.status).toBe(200);
    await docs.text();

    const exit = await shop.stop('SIGINT');
    console.log(`npm start on PGlite: stopped ${exit.ms.toFixed(0)} ms after SIGINT`);
    expect(shop.output()).toContain('SIGINT: stopping');
    expect(shop.output()).toContain('stopped');
    // npm (through its `sh -c`) re-raises a SIGINT it received once the script ended, as
    // shells expect of Ctrl-C; any other ending (a non-zero code) is a failure.
    expect(exit.code === 0 || exit.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
    expect(shop.output()).not.toMatch(/error|ERR!/i);
    await expect.poll(() => shop.groupAlive(), { timeout: 2_000 }).toBe(false);
  });

  it('given the data folder of a first run, when the shop starts again, then nothing is seeded twice and SIGINT ends it with exit code 0', async () => {
    const port = await freePort();
    // The command `npm start` runs (tsx src/main.ts), without npm's and tsx's wrappers, so
    // the service's own exit code is the one observed.
    const shop = spawnShop(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: shopDir,
      env: { SHOP_DATA_DIR: dataDir },
      port,
    });
    running = shop;
    await shop.waitUntilReady(readyWithinMs);
    await expect.poll(() => shop.output()).toContain('Ctrl-C stops');
    expectAddresses(shop.output(), shop.url);
    expect(shop.output()).not.toContain('first run');

    const mine = await askQuery<Page>(shop.url, 'MyOrders', {}, as('demo-ada'));
    expect(mine.orders.map((order) => order.orderId).sort()).toEqual(['demo-1', 'demo-2']);
    const cart = await askQuery<Detail>(
      shop.url,
      'OrderDetail',
      { orderId: 'demo-2' },
      as('demo-ada'),
    );
    expect(cart).toMatchObject({ version: 1, lines: [{ sku: 'pen', quantity: 3 }] });
    const shipped = await askQuery<Detail>(
      shop.url,
      'OrderDetail',
      { orderId: 'demo-1' },
      as('demo-staff'),
    );
    expect(shipped).toMatchObject({ status: 'shipped', version: 5 });

    const exit = await shop.stop('SIGINT');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(shop.output()).toContain('stopped');
  });

  // Issue 13: a second shop on the same folder died inside PGlite with `RuntimeError:
  // Aborted()` and a dump of PGlite's bundle.
  it('given a shop running on a data folder, when a second shop starts on it, then the second exits 4 with one line naming the folder and the first one, which keeps serving', async () => {
    const start = async () =>
      spawnShop(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: shopDir,
        env: { SHOP_DATA_DIR: dataDir },
        port: await freePort(),
      });
    const first = await start();
    running = first;
    await first.waitUntilReady(readyWithinMs);

    const second = await start();
    const exit = await new Promise((resolve) =>
      second.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    expect(exit, second.output()).toEqual({ code: 4, signal: null });
    expect(second.output()).toBe(
      `duet shop: the PGlite directory ${dataDir} is in use by process ${first.child.pid} on ${hostname()}: PGlite allows one process per directory; stop that process (the app, another duet) and try again (if ${first.child.pid} is no Duet process, the lock is left over: delete ${join(dataDir, 'duet.lock')}); or start with SHOP_DATA_DIR=<another directory>\n`,
    );

    const health = await fetch(`${first.url}/health/ready`);
    expect(health.status).toBe(200);
    await health.text();
    expect(await first.stop('SIGINT')).toMatchObject({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'duet.lock'))).toBe(false);
  });

  it.skipIf(databaseUrl === null)(
    'given DATABASE_URL, when `npm start` runs, then it serves from PostgreSQL and leaves the data folder alone',
    async () => {
      const name = `duet_shop_e2e_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client({ connectionString: databaseUrl! });
      await admin.connect();
      const url = new URL(databaseUrl!);
      url.pathname = `/${name}`;
      const emptyDir = await mkdtemp(join(tmpdir(), 'duet-shop-e2e-pg-'));
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
        const port = await freePort();
        const shop = spawnShop('npm', ['start'], {
          cwd: root,
          env: { DATABASE_URL: url.toString(), SHOP_DATA_DIR: emptyDir },
          port,
        });
        running = shop;
        const readyMs = await shop.waitUntilReady(readyWithinMs);
        console.log(`npm start on PostgreSQL: ready ${(readyMs / 1000).toFixed(1)} s after spawn`);
        await expect.poll(() => shop.output()).toContain('Ctrl-C stops');
        expectAddresses(shop.output(), shop.url);
        expect(shop.output()).toContain(
          'customers, catalog, orders, payments, order-history on PostgreSQL',
        );
        expect(shop.output()).toContain('first run: 26 demo commands');
        // Ready allows a little projection lag, and a query without a position does not
        // wait: the seeded orders show up shortly after; bob's placed one is confirmed by
        // the placement saga (customers, catalog and payments in the same process).
        await expect
          .poll(async () => (await askQuery<Page>(shop.url, 'MyOrders', {}, as('demo-bob'))).orders)
          .toMatchObject([{ orderId: 'demo-3', status: 'confirmed' }]);

        const exit = await shop.stop('SIGINT');
        expect(exit.code === 0 || exit.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
        expect(shop.output()).toContain('stopped');
        expect(await readdir(emptyDir)).toEqual([]);
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1`,
          [name],
        );
        expect(rows[0]?.n, 'connections left open after the stop').toBe(0);
      } finally {
        running?.kill();
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
        await rm(emptyDir, { recursive: true, force: true });
      }
    },
  );
});
