import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, sendCommand } from '../../test-support/shop-client.ts';
import { freePort, type ShopProcess, spawnShop } from '../../test-support/spawn-shop.ts';

const shopDir = resolve(import.meta.dirname, '..', '..');

/** A stand-in OTLP/HTTP collector: keeps what each path received (JSON protocol). */
function startCollector(): Promise<{
  server: Server;
  url: string;
  received: Map<string, string[]>;
}> {
  const received = new Map<string, string[]>();
  const read = async (request: IncomingMessage) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    return body;
  };
  const server = createServer((request, response) => {
    void read(request).then((body) => {
      received.set(request.url ?? '', [...(received.get(request.url ?? '') ?? []), body]);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        received,
      }),
    ),
  );
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 50));
}

// Issue 12: OTEL_EXPORTER_OTLP_ENDPOINT turns on export in the shop's process.
describe('OTLP export', { timeout: 180_000 }, () => {
  let dataDir: string;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let shop: ShopProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'duet-shop-otlp-'));
    collector = await startCollector();
  });
  afterAll(async () => {
    shop?.kill();
    collector?.server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("given OTEL_EXPORTER_OTLP_ENDPOINT, when an order is placed, then the collector receives the request's spans and Duet's append metrics", async () => {
    shop = spawnShop('node', ['--import', 'tsx', 'src/main.ts'], {
      cwd: shopDir,
      port: await freePort(),
      env: {
        SHOP_DATA_DIR: dataDir,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
      },
    });
    await shop.waitUntilReady(150_000);
    await sendCommand(
      shop.url,
      'AddItem',
      { orderId: 'otlp-1', sku: 'tea', quantity: 1 },
      as('demo-ada'),
    );
    await sendCommand(shop.url, 'PlaceOrder', { orderId: 'otlp-1' }, as('demo-ada'));

    const sent = (path: string) => (collector.received.get(path) ?? []).join('\n');
    await until(() => sent('/v1/traces').includes('POST /commands/PlaceOrder'));
    await until(() => sent('/v1/metrics').includes('duet.append.events'));
    expect(sent('/v1/traces')).toContain('duet.command PlaceOrder');
    expect(sent('/v1/traces')).toContain('duet-shop');
  });

  it('given no OTEL_EXPORTER_OTLP_ENDPOINT, then startTelemetry starts nothing', async () => {
    const { startTelemetry } = await import('./start-telemetry.ts');
    expect(await startTelemetry('duet-shop', {})).toBeNull();
  });
});
