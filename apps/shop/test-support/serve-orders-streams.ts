// Child process of large-stream-read.stress.int.test.ts: the shop's orders service as
// `npm run start:services` opens it (tenant-isolated store, its event registry, the
// shop's HTTP server) but without its processors, so a million seeded events are only
// served, never projected. Prints `{"port":…}` once listening; SIGTERM closes it. Its
// own process, so the test reads its peak resident set from /proc and nothing is tuned.
//
//   node --import tsx serve-orders-streams.ts <connection string> <schema prefix>
import { createInProcessTransport } from '@duet/core';
import { createPgExecutor, createPostgresIdempotencyStore, isolateTenants } from '@duet/postgres';
import { shopStreams } from '../src/contracts/message-streams.ts';
import { createShopServer } from '../src/http/create-shop-server.ts';
import { openShopService } from '../src/services/open-shop-service.ts';

const [connectionString, prefix] = process.argv.slice(2);
if (connectionString === undefined || prefix === undefined) {
  throw new Error('usage: serve-orders-streams.ts <connection string> <schema prefix>');
}

const executor = createPgExecutor({ connectionString });
const transport = createInProcessTransport();
const orders = await openShopService('orders', {
  executor,
  transport,
  streams: shopStreams(),
  schemaPrefix: `${prefix}_`,
});
const server = await createShopServer({
  services: [orders.served],
  principals: { 'staff-key': { id: 'sam', tenant: 'shop', roles: ['staff'] } },
  idempotency: createPostgresIdempotencyStore({
    executor: isolateTenants(executor),
    schema: orders.schema,
  }),
  rateLimitPerMinute: 100_000,
});
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
process.stdout.write(
  `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, schema: orders.schema })}\n`,
);
process.once('SIGTERM', () => {
  void (async () => {
    await server.close();
    await orders.close();
    await transport.close();
    await executor.close();
    process.exit(0);
  })();
});
