// `bench http`'s middle line: Duet's command bus with the shop's order handler behind a
// plain Fastify route, the shape of Emmett's route (emmett-server.ts): the same key lookup,
// schema check and error mapping, a plain executor (no tenant isolation, no snapshots), the shop's event registry,
// pool of 10. Between it and the shop's service lies what the shop adds per request (the
// @duet/http plugin, rate limit, tenant isolation, snapshots). A child process of the
// bench: DATABASE_URL, CARTS (seeded, then ANALYZE), PORT; prints `ready at <url>`.
import { createCommandBus, createEventRegistry, DomainError, NotFoundError } from '@duet/core';
import { createPgExecutor, createPostgresEventStore, migrate } from '@duet/postgres';
import Fastify from 'fastify';
import { PlaceOrder } from '../../../apps/shop/src/orders/order-commands.ts';
import { orderEvents } from '../../../apps/shop/src/orders/order-events.ts';
import { orderHandler } from '../../../apps/shop/src/orders/order-handler.ts';
import { forEachCart, httpApiKeys, orderIdOf, seededItem } from './place-order-carts.ts';

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
const app = Fastify({ logger: false });
app.post('/commands/PlaceOrder', async (request, reply) => {
  const key = request.headers['x-api-key'];
  const principal = typeof key === 'string' ? httpApiKeys[key] : undefined;
  if (!principal) return reply.code(401).send({ title: 'unknown API key' });
  const checked = await PlaceOrder.schema['~standard'].validate(request.body);
  if (checked.issues) return reply.code(400).send({ title: 'invalid', issues: checked.issues });
  try {
    const result = await bus.send(PlaceOrder.create(checked.value), {
      actor: principal.id,
      roles: principal.roles,
    });
    return { position: String(result.position), version: String(result.streamVersion) };
  } catch (error) {
    if (error instanceof NotFoundError) return reply.code(404).send({ title: error.message });
    if (error instanceof DomainError) return reply.code(422).send({ title: error.message });
    throw error;
  }
});
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
console.log(`duet-route ready at ${address} (seeded ${carts} carts in ${seededIn} s)`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => store.close())
    .then(() => executor.close())
    .finally(() => process.exit(0));
});
