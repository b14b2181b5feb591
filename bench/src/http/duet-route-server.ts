// `bench http`'s middle line: Duet's command bus with the shop's order handler behind a
// plain Fastify route, the shape of Emmett's route (emmett-server.ts): the same key lookup,
// schema check and error mapping, a plain executor (no tenant isolation, no snapshots), the shop's event registry,
// pool of 10. Between it and the shop's service lies what the shop adds per request (the
// @duet/http plugin, rate limit, tenant isolation, snapshots). A child process of the
// bench: DATABASE_URL, CARTS (seeded, then ANALYZE), PORT; prints `ready at <url>`.
import { createCommandBus, createEventRegistry } from '@duet/core';
import { createPgExecutor, createPostgresEventStore, migrate } from '@duet/postgres';
import { orderEvents } from '../../../apps/shop/src/orders/order-events.ts';
import { orderHandler } from '../../../apps/shop/src/orders/order-handler.ts';
import { forEachCart, orderIdOf, seededItem } from './place-order-carts.ts';
import { servePlaceOrderRoute } from './serve-place-order-route.ts';

const executor = createPgExecutor({ connectionString: process.env.DATABASE_URL ?? '' });
const carts = Number(process.env.CARTS ?? 0);
await migrate(executor, { schema: 'orders' });
// The shop's registry: events are checked on append and decoded on read, as in the shop.
const events = createEventRegistry(orderEvents);
const store = createPostgresEventStore({ executor, schema: 'orders', events });
const seeding = performance.now();
await forEachCart(carts, 64, (cart) =>
  store.append(`order-${orderIdOf(cart)}`, [seededItem(cart)], { expectedVersion: 'no_stream' }),
);
await executor.query('ANALYZE');
const seededIn = ((performance.now() - seeding) / 1000).toFixed(1);

const bus = createCommandBus({ store, handlers: [orderHandler], events });
await servePlaceOrderRoute({
  name: 'duet-route',
  carts,
  seededIn,
  place: async (command, principal) => {
    const result = await bus.send(command, { actor: principal.id, roles: principal.roles });
    return { position: String(result.position), version: String(result.streamVersion) };
  },
  close: () => store.close().then(() => executor.close()),
});
