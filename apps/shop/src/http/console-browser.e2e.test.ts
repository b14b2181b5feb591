import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { foldEvents, type RecordedEvent, runInTenant } from '@duet/core';
import { quoteIdentifier } from '@duet/postgres';
import type { TestDatabase } from '@duet/postgres/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, sendCommand } from '../../test-support/shop-client.ts';
import { type ShopInProcess, startShopInProcess } from '../../test-support/shop-in-process.ts';
import { AddProduct } from '../catalog/product-commands.ts';
import type { Shop } from '../create-shop.ts';
import { orderDecider } from '../orders/order-decider.ts';
import type { OrderEvent } from '../orders/order-events.ts';
import { shopConsole } from './shop-console.ts';

// Issue 12: the console in real Chromium (Debian's, driven by playwright-core) against the
// whole shop in this process on PGlite. Each test writes a screenshot of its page: into
// docs/console/ (which docs/console.md shows) with DUET_SCREENSHOTS=1, else into a
// temporary folder, so a test run leaves the working tree as it found it.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI === 'true') {
  throw new Error(
    `CI=true and ${CHROMIUM} is missing: the console's browser tests need it (apt-get install -y chromium)`,
  );
}
if (!hasChromium) {
  console.warn(
    `skipping the console's browser tests: no ${CHROMIUM} (apt-get install -y chromium)`,
  );
}

const screenshots =
  process.env.DUET_SCREENSHOTS === '1'
    ? resolve(import.meta.dirname, '../../../../docs/console')
    : join(tmpdir(), 'duet-console-screenshots');
// An order whose lines the order history rejects (a constraint added below), so its
// OrderPlaced ends in the history consumer's dead letters; the test then lifts the
// constraint and retries it from the page.
const POISONED_ORDER = 'console-dl-1';
// Rejected too, and skipped from the page instead.
const SKIPPED_ORDER = 'console-dl-2';
// Enough for the rebuild to take several batches, so the live view shows it part-way.
const STOCK_EVENTS = 20_000;

let running: ShopInProcess;
let database: TestDatabase;
let shop: Shop;
let url: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

describe.skipIf(!hasChromium)('the console in Chromium', () => {
  beforeAll(async () => {
    running = await startShopInProcess({
      console: (started) => ({ ...shopConsole(started), liveIntervalMs: 100 }),
    });
    ({ database, shop, url } = running);

    // More streams than a page holds (for paging), and product events for a rebuild to replay.
    for (let i = 0; i < 30; i += 1) {
      const sku = `shelf-${String(i).padStart(2, '0')}`;
      await shop.catalog.commands.send(AddProduct.create({ sku, name: sku, priceCents: 100 }), {
        actor: 'sam',
        tenant: 'shop',
        roles: ['staff'],
      });
    }
    for (let i = 0; i < STOCK_EVENTS; i += 1_000) {
      await asShop(() =>
        shop.catalog.store.append(
          'product-pen',
          Array.from({ length: 1_000 }, () => ({
            type: 'StockReceived',
            data: { sku: 'pen', quantity: 1 },
          })),
        ),
      );
    }
    await poisonOrderHistory(true);
    await sendCommand(
      url,
      'AddItem',
      { orderId: POISONED_ORDER, sku: 'tea', quantity: 1 },
      as('demo-ada'),
    );
    await sendCommand(url, 'PlaceOrder', { orderId: POISONED_ORDER }, as('demo-ada'));
    await sendCommand(
      url,
      'AddItem',
      { orderId: SKIPPED_ORDER, sku: 'tea', quantity: 1 },
      as('demo-ada'),
    );
    await sendCommand(url, 'PlaceOrder', { orderId: SKIPPED_ORDER }, as('demo-ada'));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await running?.close();
  });

  it('given staff log in, when they open the sagas page and a placement, then its timeline and timers show with no console errors', async () => {
    const { page, problems } = await logIn('demo-staff');
    await page.click('nav a:has-text("Sagas")');
    await page.locator('#sagas a', { hasText: 'placement-demo-3' }).waitFor();
    await page.click('#sagas a:has-text("placement-demo-3")');
    await page.locator('#timeline td', { hasText: 'confirmed' }).first().waitFor();
    const steps = await page.locator('#timeline tbody td:nth-child(2)').allTextContents();
    expect(steps[0]).toBe('placement started');
    expect(steps).toContain('payment authorized');
    await page.locator('#timers').waitFor();
    await page.screenshot({ path: shot('sagas.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('given staff log in, when they browse streams, then search and paging work with no console errors or failed requests', async () => {
    const { page, problems } = await logIn('demo-staff');
    await page.selectOption('select[name=store]', 'catalog');
    await page.click('form.search button[type=submit]');
    await page.locator('#streams a', { hasText: 'product-shelf-29' }).waitFor();
    // Newest first: the last shelf leads, 25 a page.
    expect(await page.locator('#streams tbody tr').count()).toBe(25);
    await page.click('#older');
    await page.locator('#streams a', { hasText: 'product-shelf-00' }).waitFor();
    expect(await page.locator('#streams a', { hasText: 'product-shelf-29' }).count()).toBe(0);

    await page.fill('input[name=q]', 'product-shelf-1');
    await page.click('form.search button[type=submit]');
    await page.locator('#streams a', { hasText: 'product-shelf-19' }).waitFor();
    const names = await page.locator('#streams tbody td:first-child a').allTextContents();
    expect(names.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `product-shelf-1${i}`));

    await page.selectOption('select[name=store]', 'orders');
    await page.selectOption('select[name=by]', 'category');
    await page.fill('input[name=q]', 'order');
    await page.click('form.search button[type=submit]');
    await page.locator('#streams a', { hasText: 'order-demo-1' }).waitFor();
    expect(await page.locator('#streams a', { hasText: 'product-' }).count()).toBe(0);
    await page.screenshot({ path: shot('streams.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('given an order stream, when staff step through its versions, then the state at each is the fold of the events up to it', async () => {
    const events: RecordedEvent<OrderEvent>[] = [];
    await asShop(async () => {
      for await (const event of shop.orders.store.readStream('order-demo-1')) {
        events.push(event as RecordedEvent<OrderEvent>);
      }
    });
    expect(events.map((e) => e.type).slice(0, 3)).toEqual([
      'ItemAdded',
      'ItemAdded',
      'OrderPlaced',
    ]);
    const { page, problems } = await logIn('demo-staff');
    await page.goto(`${url}/console/streams?store=orders&by=prefix&q=order-demo-1`);
    await page.click('#streams a:text-is("order-demo-1")');
    await page.locator('#at-version', { hasText: String(events.length) }).waitFor();

    await page.click('#v2 td.num a');
    await page.locator('#at-version', { hasText: '2' }).waitFor();
    const atTwo = JSON.parse((await page.textContent('#state'))!);
    expect(atTwo).toEqual(foldEvents(orderDecider, events.slice(0, 2)));
    // What the two ItemAdded events say: tea x2, mug x1, not placed yet.
    expect(atTwo.status).not.toBe('placed');
    expect(Object.keys(atTwo.lines).sort()).toEqual(['mug', 'tea']);
    const [tea, mug] = events.map((e) => e.data as { sku: string; quantity: number });
    expect(atTwo.lines.tea.quantity).toBe(tea!.quantity);
    expect(atTwo.lines.mug.quantity).toBe(mug!.quantity);

    await page.click('#later');
    await page.locator('#at-version', { hasText: '3' }).waitFor();
    const atThree = JSON.parse((await page.textContent('#state'))!);
    expect(atThree.status).toBe('placed');
    expect(await page.textContent('#diff')).toContain('status');
    await page.screenshot({ path: shot('stream.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('given staff on the processors page, when they rebuild catalog_products, then the live view shows its progress part-way and then it caught up again', async () => {
    const { page, problems } = await logIn('demo-staff');
    await page.click('nav a:text-is("Processors")');
    const row = page.locator('tr[data-processor="catalog/catalog_products"]');
    await row.locator('td.state-live').waitFor();
    // The live view charts each partition's lag from its readings.
    await row.locator('svg.lag-chart').waitFor();

    // htmx posts it: the page and its live view stay open while the runner replays.
    await row.locator('button', { hasText: 'Rebuild' }).click();
    // Progress part-way: a reading of the live view taken while the replay ran.
    const part = row.locator('td.state-rebuilding .rebuild');
    await part.waitFor();
    const done = Number(await part.getAttribute('data-done'));
    expect(done).toBeLessThan(STOCK_EVENTS);
    await page.screenshot({ path: shot('processors.png'), fullPage: true });
    await page.locator('#action-done', { hasText: 'catalog/catalog_products' }).waitFor();
    await row.locator('td.state-live').waitFor();
    const [status] = (await shop.catalog.processors.status()).filter(
      (s) => s.name === 'catalog_products' && s.active,
    );
    expect(status).toMatchObject({ state: 'live', lagEvents: 0, health: 'healthy' });
    const pen = await shop.catalog.processors.readModel('catalog_products');
    const { rows } = await asShop(() =>
      pen.executor.query<{ on_hand: number }>(
        `SELECT on_hand FROM ${pen.tables.name('products')} WHERE sku = 'pen'`,
      ),
    );
    // Replayed from the start: the demo's 100, the test's stock events, less what orders hold.
    expect(rows[0]?.on_hand).toBeGreaterThanOrEqual(100 + STOCK_EVENTS - 3);
    expect(problems).toEqual([]);
  }, 180_000);

  it('given staff on the processors page, when they pause catalog_products, then it stays paused while stock arrives, and on resume it applies it', async () => {
    const { page, problems } = await logIn('demo-staff');
    await page.click('nav a:text-is("Processors")');
    const row = page.locator('tr[data-processor="catalog/catalog_products"]');
    await row.locator('td.state-live').waitFor();
    const onHand = async () => {
      const pen = await shop.catalog.processors.readModel('catalog_products');
      const { rows } = await asShop(() =>
        pen.executor.query<{ on_hand: number }>(
          `SELECT on_hand FROM ${pen.tables.name('products')} WHERE sku = 'pen'`,
        ),
      );
      return rows[0]!.on_hand;
    };
    const before = await onHand();

    // The live view morphs the table in place: the button a user aims at is the same
    // element after the next ticks (a swap replaced it, and a click could land on none).
    const pause = row.locator('button', { hasText: 'Pause' });
    await pause.evaluate((button) => {
      const marked = globalThis as unknown as { ticks: number };
      marked.ticks = 0;
      (button as unknown as { seen: boolean }).seen = true;
      button.ownerDocument.body.addEventListener('htmx:sseMessage', () => {
        marked.ticks += 1;
      });
    });
    await page.waitForFunction(() => (globalThis as unknown as { ticks: number }).ticks >= 2);
    expect(await pause.evaluate((button) => (button as unknown as { seen?: boolean }).seen)).toBe(
      true,
    );
    await pause.click();
    await page.locator('#action-done', { hasText: 'Paused' }).waitFor();
    await row.locator('td.state-paused').waitFor();
    await asShop(() =>
      shop.catalog.store.append('product-pen', [
        { type: 'StockReceived', data: { sku: 'pen', quantity: 5 } },
      ]),
    );
    // The live view shows the waiting event and who paused it; the read model has not moved.
    await row.locator('td.lag', { hasText: /^1\b/ }).waitFor();
    expect(await row.locator('td.health-paused').textContent()).toContain('paused by sam');
    await page.screenshot({ path: shot('paused.png'), fullPage: true });
    expect(await onHand()).toBe(before);

    await row.locator('button', { hasText: 'Resume' }).click();
    await page.locator('#action-done', { hasText: 'Resumed' }).waitFor();
    await row.locator('td.state-live').waitFor();
    await until(async () => ((await onHand()) === before + 5 ? true : null));
    expect(problems).toEqual([]);
  }, 120_000);

  it('given a read-only viewer, when they look, then pages show no action buttons and a forged POST is refused', async () => {
    const { page, problems, context } = await logIn('key-vera');
    await page.locator('header', { hasText: 'vera (read-only)' }).waitFor();
    await page.click('nav a:text-is("Processors")');
    await page.locator('tr[data-processor="catalog/catalog_products"]').waitFor();
    expect(await page.locator('main button, main form[method=post]').count()).toBe(0);
    await page.screenshot({ path: shot('viewer.png'), fullPage: true });
    await page.click('nav a:text-is("Dead letters")');
    await page.locator('#dead-letters').waitFor();
    expect(await page.locator('main button').count()).toBe(0);

    // With the viewer's own session and CSRF token: refused for the role.
    const csrf = await page.getAttribute('form.who input[name=_csrf]', 'value');
    const forged = await context.request.post(
      `${url}/console/processors/catalog/catalog_products/rebuild`,
      { form: { _csrf: csrf! }, maxRedirects: 0 },
    );
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('read-only');
    expect(problems).toEqual([]);
    // A guard against a hang, as for the tests above: Chromium on a loaded machine.
  }, 120_000);

  it('given staff without the CSRF token, when they POST, then 403', async () => {
    const { context } = await logIn('demo-staff');
    const forged = await context.request.post(
      `${url}/console/processors/catalog/catalog_products/rebuild`,
      { form: { _csrf: 'forged' }, maxRedirects: 0 },
    );
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('CSRF');
  });

  it('given an OrderPlaced the order history rejected, when staff skip it from the page, then it is gone and the history never shows the order', async () => {
    const consumer = shop.history.consumers.find((c) => c.name === 'order_history_orders')!;
    const letter = await until(async () => {
      const found = await consumer.deadLetters();
      return (
        found.find((l) => l.message.headers['Duet-Stream'] === `order-${SKIPPED_ORDER}`) ?? null
      );
    });
    const { page, problems } = await logIn('demo-staff');
    await page.click('nav a:text-is("Dead letters")');
    const row = page.locator(`#dl-${letter.id}`);
    await row.locator('button', { hasText: 'Skip' }).click();
    await page.locator('#dead-letters').waitFor();
    await until(async () => ((await row.count()) === 0 ? true : null));
    const left = await consumer.deadLetters();
    expect(left.map((l) => l.id)).not.toContain(letter.id);
    const lines = await database.executor.query(
      `SELECT 1 FROM ${historySchema()}.order_lines_v2 WHERE order_id = $1`,
      [SKIPPED_ORDER],
    );
    expect(lines.rows).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('given an OrderPlaced the order history rejected, when the cause is fixed and staff retry it from the page, then it is gone and the history has the order', async () => {
    const consumer = shop.history.consumers.find((c) => c.name === 'order_history_orders')!;
    // The consumer retries the message maxDeliver times before it dead-letters it.
    const letters = await until(async () => {
      const found = await consumer.deadLetters();
      return found.length > 0 ? found : null;
    });
    expect(letters).toHaveLength(1); // the other one was skipped above
    const [letter] = letters;
    const { page, problems } = await logIn('demo-staff');
    await page.click('nav a:text-is("Dead letters")');
    const row = page.locator(`#dl-${letter!.id}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('console_rejects_order');
    await page.screenshot({ path: shot('dead-letters.png'), fullPage: true });

    await poisonOrderHistory(false);
    await row.locator('button', { hasText: 'Retry' }).click();
    await page.locator('#dead-letters', { hasText: 'no dead letters' }).waitFor();
    expect(await consumer.deadLetters()).toEqual([]);
    const lines = await database.executor.query<{ sku: string }>(
      `SELECT sku FROM ${historySchema()}.order_lines_v2 WHERE order_id = $1`,
      [POISONED_ORDER],
    );
    expect(lines.rows).toEqual([{ sku: 'tea' }]);
    expect(problems).toEqual([]);
  }, 120_000);
});

const shot = (name: string) => {
  mkdirSync(screenshots, { recursive: true });
  return resolve(screenshots, name);
};

/** As the demo keys' tenant: the shop's stores and read models are per tenant. */
const asShop = <T>(fn: () => Promise<T>): Promise<T> => runInTenant('shop', fn);

const historySchema = () => quoteIdentifier(`${database.schema}_order_history`);

/** Adds (or drops) a constraint that makes the order history reject the two orders' lines. */
async function poisonOrderHistory(on: boolean): Promise<void> {
  const table = `${historySchema()}.order_lines_v2`;
  await database.executor.query(
    on
      ? `ALTER TABLE ${table} ADD CONSTRAINT console_rejects_order CHECK (order_id NOT IN ('${POISONED_ORDER}', '${SKIPPED_ORDER}')) NOT VALID`
      : `ALTER TABLE ${table} DROP CONSTRAINT console_rejects_order`,
  );
}

/** Resolves with `probe`'s first non-null answer (the test's timeout bounds the wait). */
async function until<T>(probe: () => Promise<T | null>): Promise<T> {
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * A fresh browser context logged in through the console's form, with every console error,
 * page error, failed request and HTTP error response of its page collected in `problems`.
 */
async function logIn(key: string): Promise<{
  page: Page;
  context: BrowserContext;
  problems: string[];
}> {
  const context = await browser.newContext();
  contexts.push(context);
  // No waits of playwright's own: the test's timeout bounds them.
  context.setDefaultTimeout(0);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Leaving the processors page ends its live view's EventSource: not a failure.
    const left = request.url().endsWith('/processors/live');
    if (!left) problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  await page.goto(`${url}/console/login`);
  await page.fill('input[name=credential]', key);
  await page.click('button[type=submit]');
  await page.locator('#streams').waitFor();
  return { page, context, problems };
}
