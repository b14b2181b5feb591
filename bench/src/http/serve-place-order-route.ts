// The plain Fastify PlaceOrder route that `bench http`'s duet-route and emmett servers
// share, so the two differ only in what runs the command: the same key lookup, schema
// check, error mapping, listen line and SIGTERM shutdown.
import { type CommandOf, DomainError, NotFoundError } from '@duet/core';
import Fastify from 'fastify';
import { PlaceOrder } from '../../../apps/shop/src/orders/order-commands.ts';
import { httpApiKeys } from './place-order-carts.ts';

/** Whom a known API key names (the shop's keys). */
export type RoutePrincipal = (typeof httpApiKeys)[string];

/** What the route answers for a placed order. */
export interface PlacedReply {
  readonly position: string;
  readonly version: string;
}

export interface PlaceOrderRouteOptions {
  /** The server's name in its `<name> ready at <url>` line. */
  readonly name: string;
  /** For the ready line: how many carts were seeded, in how many seconds. */
  readonly carts: number;
  readonly seededIn: string;
  /** Runs a valid PlaceOrder for a known principal; NotFoundError → 404, DomainError → 422. */
  readonly place: (
    command: CommandOf<typeof PlaceOrder>,
    principal: RoutePrincipal,
  ) => Promise<PlacedReply>;
  /** Closes the server's store and pool, after Fastify, on SIGTERM. */
  readonly close: () => Promise<unknown>;
}

/**
 * Serves POST /commands/PlaceOrder on 127.0.0.1:$PORT, prints `<name> ready at <url>
 * (seeded …)` and, on SIGTERM, closes Fastify, then `close`, then exits 0.
 *
 * @example
 * await servePlaceOrderRoute({ name: 'emmett', carts, seededIn, place, close: () => pool.end() });
 */
export async function servePlaceOrderRoute(options: PlaceOrderRouteOptions): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/commands/PlaceOrder', async (request, reply) => {
    const key = request.headers['x-api-key'];
    const principal = typeof key === 'string' ? httpApiKeys[key] : undefined;
    if (!principal) return reply.code(401).send({ title: 'unknown API key' });
    const checked = await PlaceOrder.schema['~standard'].validate(request.body);
    if (checked.issues) return reply.code(400).send({ title: 'invalid', issues: checked.issues });
    const command = PlaceOrder.create(checked.value);
    try {
      return await options.place(command, principal);
    } catch (error) {
      if (error instanceof NotFoundError) return reply.code(404).send({ title: error.message });
      if (error instanceof DomainError) return reply.code(422).send({ title: error.message });
      throw error;
    }
  });
  const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  console.log(
    `${options.name} ready at ${address} (seeded ${options.carts} carts in ${options.seededIn} s)`,
  );
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(options.close)
      .finally(() => process.exit(0));
  });
}
