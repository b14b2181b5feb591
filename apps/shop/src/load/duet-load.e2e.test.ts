import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { LoadSummary } from '@duet/cli';
import { runAsSystem, runInTenant } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OneProcessShopServer,
  startOneProcessShop,
} from '../../test-support/shop-test-server.ts';

// Issue 11, "duet load shop": the load generator against the one-process shop on PGlite, as
// a user runs it (the real `duet` binary with the shop's shipped config), and its usage errors.
const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const bin = resolve(root, 'node_modules', '.bin', 'duet');
const config = resolve(root, 'apps', 'shop', 'duet.config.ts');
const apiKeys = JSON.stringify({
  'demo-staff': { id: 'sam', tenant: 'shop', roles: ['staff'] },
  'demo-ada': { id: 'ada', tenant: 'shop', roles: ['customer'] },
  'demo-bob': { id: 'bob', tenant: 'shop', roles: ['customer'] },
});

function duet(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'DUET_CONFIG', 'DUET_API_KEYS', 'SHOP_API_KEYS'])
    delete env[name];
  const child = spawn(process.execPath, [bin, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

describe('duet load shop', () => {
  let server: OneProcessShopServer;

  beforeAll(async () => {
    server = await startOneProcessShop('pglite');
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  }, 60_000);

  it('given the one-process shop, when the load places orders at a small rate, then the summary adds up and matches the orders service', async () => {
    const result = await duet([
      'load',
      'shop',
      '--config',
      config,
      '--url',
      server.url,
      '--api-keys',
      apiKeys,
      '--rate',
      '5',
      '--duration',
      '2',
      '--drain',
      '90',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    // Progress and notes on stderr; stdout is the JSON summary alone.
    expect(result.stderr).toMatch(/load shop: .*placed \d+/);
    const summary = JSON.parse(result.stdout) as LoadSummary;
    expect(summary).toMatchObject({
      workload: 'shop',
      mode: 'open',
      rate: 5,
      success: 'confirmed',
    });
    expect(summary.started).toBeGreaterThanOrEqual(9);
    expect(summary.started).toBeLessThanOrEqual(11);
    const outcomes = Object.entries(summary.outcomes);
    expect(outcomes.reduce((sum, [, n]) => sum + n, 0)).toBe(summary.started);
    const failed = outcomes.filter(([o]) => o.startsWith('failed:')).reduce((s, [, n]) => s + n, 0);
    expect(summary.accepted).toBe(summary.started - failed);
    expect(summary.succeeded).toBe(summary.outcomes.confirmed ?? 0);
    expect(summary.abandoned).toBe(0);
    expect(summary.settledMs.count).toBe(summary.accepted);
    expect(summary.settledMs.p99).toBeGreaterThanOrEqual(summary.settledMs.p50);

    // What the orders service holds for the run's orders says the same.
    const { orders } = server.shop;
    await orders.processors.waitForPosition({
      projections: ['order_detail'],
      minPosition: await runAsSystem(() => orders.store.headPosition()),
      timeoutMs: 30_000,
      queryType: 'test',
      tokens: [],
    });
    const { tables, executor } = await orders.processors.readModel('order_detail');
    // The load's keys are the demo tenant's: so are its orders' rows.
    const { rows } = await runInTenant('shop', () =>
      executor.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM ${tables.name('orders')} WHERE starts_with(order_id, $1) GROUP BY status`,
        [summary.details.orderIdPrefix],
      ),
    );
    const held = Object.fromEntries(rows.map((row) => [row.status, row.n]));
    const cancelled = outcomes
      .filter(([o]) => o.startsWith('cancelled:'))
      .reduce((s, [, n]) => s + n, 0);
    expect(held.confirmed ?? 0).toBe(summary.outcomes.confirmed ?? 0);
    expect(held.cancelled ?? 0).toBe(cancelled);
    expect((held.confirmed ?? 0) + (held.cancelled ?? 0)).toBe(summary.accepted);
  }, 240_000);
});

// Usage mistakes exit before any request: no shop needed.
describe.concurrent('duet load usage', () => {
  it.each([
    [['--rate', '0', '--url', 'http://127.0.0.1:1'], /--rate <n>' argument '0' is invalid/],
    [
      ['--rate', '5', '--clients', '4', '--url', 'http://127.0.0.1:1'],
      /either --rate .* or --clients/,
    ],
    [['--rate', '5'], /no URL for customers, catalog, orders, order-history/],
    [['--clients', '4', '--url', 'ftp://x'], /--url: expected http:\/\/host:port/],
    [
      ['--rate', '5', '--service', 'warehouse=http://127.0.0.1:1'],
      /--service warehouse=.*customers, catalog/,
    ],
    [
      ['--rate', '5', '--url', 'http://127.0.0.1:1', '--api-keys', '[1]'],
      /--api-keys: expected a JSON object/,
    ],
    [['--duration', 'soon', '--rate', '5'], /--duration <s>' argument 'soon' is invalid/],
  ])(
    'given %j, when duet load shop runs, then it exits 2 with one clear line',
    async (args, message) => {
      const result = await duet(['load', 'shop', '--config', config, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    },
  );

  it('given a workload the config does not ship, when duet load runs it, then it exits 3 naming the known ones', async () => {
    const result = await duet([
      'load',
      'warehouse',
      '--config',
      config,
      '--rate',
      '1',
      '--url',
      'http://127.0.0.1:1',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no workload named warehouse[\s\S]*known: shop/);
  });
});
