// `bench http`'s peer: the shop's PlaceOrder run by Emmett 0.42's CommandHandler behind a
// plain Fastify route (Emmett ships no Fastify package), with the shop's own order decider
// and command schema. Emmett at its best settings (STACK.md): its own database, schema
// migrated before, autoMigration 'None', a pg.Pool of 10. A child process of the bench:
// DATABASE_URL, CARTS (carts to seed, then ANALYZE), PORT; prints `ready at <url>`.
import { CommandHandler, type Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { orderDecider } from '../../../apps/shop/src/orders/order-decider.ts';
import type { OrderEvent } from '../../../apps/shop/src/orders/order-events.ts';
import { forEachCart, orderIdOf, seededItem } from './place-order-carts.ts';
import { servePlaceOrderRoute } from './serve-place-order-route.ts';

type EmmettOrderEvent = Event<OrderEvent['type'], OrderEvent['data']>;

const url = process.env.DATABASE_URL ?? '';
const carts = Number(process.env.CARTS ?? 0);
const setup = getPostgreSQLEventStore(url);
await setup.schema.migrate();
await setup.close();
const pool = new pg.Pool({ connectionString: url, max: 10 });
const store = getPostgreSQLEventStore(url, {
  schema: { autoMigration: 'None' },
  connectionOptions: { pool },
});
const seeding = performance.now();
await forEachCart(carts, 64, (cart) =>
  store.appendToStream<EmmettOrderEvent>(`order-${orderIdOf(cart)}`, [seededItem(cart)]),
);
await pool.query('ANALYZE');
const seededIn = ((performance.now() - seeding) / 1000).toFixed(1);

const handle = CommandHandler<ReturnType<typeof orderDecider.initialState>, EmmettOrderEvent>({
  evolve: (state, event) => orderDecider.evolve(state, event as OrderEvent),
  initialState: orderDecider.initialState,
});
await servePlaceOrderRoute({
  name: 'emmett',
  carts,
  seededIn,
  place: async (command, principal) => {
    const context = { actor: principal.id, tenant: principal.tenant, roles: principal.roles };
    const result = await handle(store, `order-${command.data.orderId}`, (state) => {
      const decided = orderDecider.decide(command, state, context);
      return (Array.isArray(decided) ? decided : [decided]) as EmmettOrderEvent[];
    });
    return {
      position: String(result.lastEventGlobalPosition),
      version: String(result.nextExpectedStreamVersion),
    };
  },
  close: () => store.close().then(() => pool.end()),
});
