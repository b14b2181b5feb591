// Test support for the @duet/http tests only: a small cart domain on core's in-memory
// store, a read model the tests move by hand (so consistency and live queries are
// deterministic), and a real listening server on 127.0.0.1.
import {
  type CommandOf,
  type ConsistencyRequest,
  createCommandBus,
  createInMemoryEventStore,
  createQueryBus,
  type Decider,
  DomainError,
  defineCommand,
  defineCommandHandler,
  defineQuery,
  defineQueryHandler,
  type InMemoryEventStore,
  type Message,
  type Position,
  parseReadToken,
  type RecordedEvent,
  START_POSITION,
  StaleReadError,
} from '@duet/core';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { z } from 'zod';
import { duetHttp } from '../src/duet-http.ts';
import type { DuetHttpOptions } from '../src/duet-http-options.ts';
import { problemClientErrorHandler } from '../src/problems/problem-client-error-handler.ts';

export const OpenCart = defineCommand('OpenCart', z.object({ cartId: z.string().min(1).max(40) }), {
  description: 'Open an empty cart.',
});
export const AddItem = defineCommand(
  'AddItem',
  z.object({
    cartId: z.string().min(1),
    sku: z.string().min(1),
    quantity: z.number().int().min(1).max(100),
    note: z.object({ text: z.string() }).optional(),
  }),
);
export const CartItems = defineQuery('CartItems', {
  params: z.object({ cartId: z.string() }),
  result: z.object({
    cartId: z.string(),
    items: z.array(z.object({ sku: z.string(), quantity: z.number() })),
  }),
  projections: ['carts'],
});
export const ListCarts = defineQuery('ListCarts', {
  params: z.object({
    limit: z.number().int().min(1).optional(),
    onlyWithItems: z.boolean().optional(),
    ids: z.array(z.string()).optional(),
  }),
  result: z.object({ carts: z.array(z.string()), limit: z.number() }),
  projections: ['carts'],
});

type CartCommand = CommandOf<typeof OpenCart> | CommandOf<typeof AddItem>;
type CartEvent =
  | Message<'CartOpened', { cartId: string }>
  | Message<'ItemAdded', { sku: string; quantity: number }>;

const cartDecider: Decider<CartCommand, { open: boolean }, CartEvent> = {
  initialState: () => ({ open: false }),
  evolve: (state, event) => (event.type === 'CartOpened' ? { open: true } : state),
  decide(command, state) {
    if (command.type === 'OpenCart') {
      if (state.open) throw new DomainError('CART_OPEN', 'the cart is already open');
      return { type: 'CartOpened', data: { cartId: command.data.cartId } };
    }
    if (!state.open) throw new DomainError('CART_CLOSED', 'open the cart first');
    return { type: 'ItemAdded', data: { sku: command.data.sku, quantity: command.data.quantity } };
  },
};

/** The cart read model: moved by `catchUp()`, so tests decide when it is behind. */
export function createCartReadModel(store: ReturnType<typeof createInMemoryEventStore>) {
  const carts = new Map<string, Map<string, number>>();
  const listeners = new Set<() => void>();
  // Other services' writes this read model has taken in, as read tokens (tests add them).
  const takenIn = new Set<string>();
  let position: Position = START_POSITION;
  // One catch-up at a time, as a real runner's batches: overlapping ones would apply twice.
  let running: Promise<void> = Promise.resolve();
  const catchUpOnce = async () => {
    for await (const event of store.readAll({ after: position })) {
      apply(event as RecordedEvent<CartEvent>);
      position = event.position;
    }
    for (const listener of listeners) listener();
  };
  return {
    carts,
    takenIn,
    position: () => position,
    catchUp(): Promise<void> {
      running = running.then(catchUpOnce);
      return running;
    },
    subscribe(projections: readonly string[], onChange: () => void): () => void {
      if (!projections.includes('carts')) return () => {};
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    listenerCount: () => listeners.size,
  };
  function apply(event: RecordedEvent<CartEvent>) {
    const cartId = event.stream.slice('cart-'.length);
    if (event.type === 'CartOpened') carts.set(cartId, new Map());
    else {
      const items = carts.get(cartId);
      items?.set(event.data.sku, (items.get(event.data.sku) ?? 0) + event.data.quantity);
    }
  }
}

export type CartReadModel = ReturnType<typeof createCartReadModel>;

/** Everything a test needs: the buses, store, read model and a listening server. */
export async function startCartServer(
  overrides:
    | Partial<DuetHttpOptions>
    | ((store: InMemoryEventStore) => Partial<DuetHttpOptions>) = {},
  logger: FastifyServerOptions['logger'] = false,
) {
  const store = createInMemoryEventStore();
  const readModel = createCartReadModel(store);
  const onlyShoppers = (_command: unknown, context: { roles?: readonly string[] }) =>
    context.roles?.includes('shopper') === true || 'only shoppers change carts';
  const commandBus = createCommandBus({
    store,
    handlers: [
      defineCommandHandler({
        decider: cartDecider,
        commands: [OpenCart, AddItem],
        stream: (command) => `cart-${command.data.cartId}`,
      }),
    ],
    policies: { OpenCart: onlyShoppers, AddItem: onlyShoppers },
  });
  const consistencyRequests: ConsistencyRequest[] = [];
  const queryBus = createQueryBus({
    handlers: [
      defineQueryHandler(CartItems, async ({ cartId }) => ({
        cartId,
        items: [...(readModel.carts.get(cartId) ?? new Map<string, number>())].map(
          ([sku, quantity]) => ({ sku, quantity }),
        ),
      })),
      defineQueryHandler(ListCarts, async ({ limit = 10, onlyWithItems = false, ids }) => ({
        carts: [...readModel.carts]
          .filter(([id, items]) => (!onlyWithItems || items.size > 0) && (!ids || ids.includes(id)))
          .map(([id]) => id)
          .slice(0, limit),
        limit,
      })),
    ],
    // Polls the hand-moved read model; a real runner waits on checkpoint notifications.
    // Tokens are read as another service's writes, reached once `takenIn` has them.
    consistency: async (request) => {
      consistencyRequests.push(request);
      const { minPosition, tokens, timeoutMs, queryType } = request;
      for (const token of tokens) parseReadToken(token);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const behind = tokens.filter((token) => !readModel.takenIn.has(token));
        if (readModel.position() >= minPosition && behind.length === 0) return;
        if (Date.now() >= deadline) {
          throw new StaleReadError(queryType, minPosition, timeoutMs, readModel.position(), behind);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    defaultTimeoutMs: 300,
  });
  // Force-close: fetch's pool may hold a fresh, request-less connection that would delay close.
  const app = Fastify({
    logger,
    forceCloseConnections: true,
    clientErrorHandler: problemClientErrorHandler,
  });
  await app.register(duetHttp, {
    commandBus,
    queryBus,
    commands: [OpenCart, AddItem],
    queries: [CartItems, ListCarts],
    live: readModel,
    liveTiming: { heartbeatMs: 100, coalesceMs: 10 },
    ...(typeof overrides === 'function' ? overrides(store) : overrides),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  const allEvents = async () => {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return events;
  };
  return {
    app,
    url,
    store,
    readModel,
    commandBus,
    queryBus,
    consistencyRequests,
    allEvents,
    close: () => app.close(),
  };
}

export type CartServer = Awaited<ReturnType<typeof startCartServer>>;

/** A JSON POST. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The `type` of a problem response. */
export async function problemType(response: Response): Promise<unknown> {
  return ((await response.json()) as { type?: unknown }).type;
}
