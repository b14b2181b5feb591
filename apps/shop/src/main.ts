import { resolve } from 'node:path';
import {
  createPostgresIdempotencyStore,
  isolateTenants,
  PGliteDirectoryInUseError,
} from '@duet/postgres';
import { pino } from 'pino';
import { createShop } from './create-shop.ts';
import { openDatabase } from './database/open-database.ts';
import { seedDemoData } from './demo/seed-demo-data.ts';
import { createShopServer } from './http/create-shop-server.ts';
import { shopConsole } from './http/shop-console.ts';
import { shopPrincipals } from './http/shop-principals.ts';
import { startTelemetry } from './telemetry/start-telemetry.ts';

// `npm start`: the whole shop in one process (customers, catalog, orders with the placement
// saga, payments, order history; a schema each, talking over the in-process transport)
// over one HTTP API, on embedded PGlite in apps/shop/.data
// (created on first run, with demo data; SHOP_DATA_DIR moves it) or on PostgreSQL when
// DATABASE_URL is set. PORT and HOST say where to listen (default 127.0.0.1:3000);
// SHOP_RATE_LIMIT_PER_MINUTE raises the per-key request budget (600) for load runs.
const started = performance.now();
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = process.env.SHOP_DATA_DIR ?? resolve(import.meta.dirname, '..', '.data', 'pglite');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const rateLimitPerMinute = Number(process.env.SHOP_RATE_LIMIT_PER_MINUTE || 600);
if (!Number.isSafeInteger(rateLimitPerMinute) || rateLimitPerMinute < 1) {
  console.error('duet shop: SHOP_RATE_LIMIT_PER_MINUTE must be a whole number of requests, >= 1');
  process.exit(2);
}

const stopTelemetry = await startTelemetry('duet-shop');
// JSON lines on stdout: the services' (processors, relays, consumers: each line with its
// `service`, and `trace_id` when it is about a traced event) and, at warn, HTTP requests'.
const logger = pino({ level: process.env.LOG_LEVEL || 'info' });
const database = await openDatabase({ databaseUrl, dataDir }).catch((error: unknown) => {
  if (!(error instanceof PGliteDirectoryInUseError)) throw error;
  // Another shop (or a duet command) has the directory: say so in one line, not a stack.
  console.error(`duet shop: ${error.message}; or start with SHOP_DATA_DIR=<another directory>`);
  process.exit(4);
});
const shop = await createShop({
  executor: database.executor,
  ...(databaseUrl ? { databaseUrl } : {}),
  logger,
});
await shop.start();
const seeded = await seedDemoData(shop);
const principals = shopPrincipals();
const server = await createShopServer({
  services: shop.served,
  contracts: shop.contracts,
  principals,
  console: shopConsole(shop),
  // Each service's keys in its own schema: completed in the same transaction as its append.
  // Isolated by tenant like the stores: a key is its tenant's own.
  idempotency: (service) =>
    createPostgresIdempotencyStore({
      executor: isolateTenants(database.executor),
      schema: service,
    }),
  rateLimitPerMinute,
  logger,
  ...(process.env.LOG_LEVEL ? { logLevel: process.env.LOG_LEVEL } : {}),
});
let address: string;
try {
  address = await server.listen({ host, port });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `duet shop: port ${port} on ${host} is in use; start with PORT=<another port> npm start`
      : `duet shop: cannot listen on ${host}:${port}: ${(error as Error).message}`,
  );
  await shop.close();
  await database.close();
  process.exit(1);
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `duet shop: ${shop.served.map((service) => service.name).join(', ')} on ${database.description}`,
);
if (seeded > 0)
  console.log(
    `first run: ${seeded} demo commands sent (tenant shop: customers ada, bob, orders demo-1..3; tenant outlet: customer cy, order demo-1)`,
  );
console.log(`API   ${address}  (commands: POST /commands/<type>, queries: GET /queries/<type>)`);
console.log(`console ${address}/console  (log in with demo-staff or demo-outlet-staff)`);
console.log(`docs  ${address}/docs  (AsyncAPI: ${address}/asyncapi.json)`);
console.log(
  `keys  ${Object.entries(principals)
    .map(([key, p]) => `${key} (${p.id}@${p.tenant ?? 'no tenant'}: ${p.roles.join(',')})`)
    .join(', ')}`,
);
console.log(`ready in ${seconds} s; Ctrl-C stops`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping`);
  // Stop taking requests first, then the services, then the database.
  await server.close();
  await shop.close();
  await database.close();
  await stopTelemetry?.();
  console.log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
