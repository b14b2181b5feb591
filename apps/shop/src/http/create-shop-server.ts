import { type DuetConsoleOptions, duetConsole } from '@duet/console';
import type {
  CommandBus,
  CommandDefinition,
  Contracts,
  EventStore,
  IdempotencyStore,
  QueryBus,
  QueryDefinition,
} from '@duet/core';
import {
  apiKeyAuthentication,
  duetHttp,
  type LiveSource,
  type OpenApiTag,
  type Principal,
  problemClientErrorHandler,
} from '@duet/http';
import { processorReadiness } from '@duet/postgres';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { OrdersService } from '../orders/orders-service.ts';
import { MAX_PAGE_SIZE } from '../orders/queries/order-queries.ts';

/** What `/health/ready` shows of a processor. */
type ProcessorStatus = Awaited<ReturnType<OrdersService['processors']['status']>>[number];

/** One service as the shop's HTTP API serves it: its buses, definitions and OpenAPI tag. */
export interface ServedService {
  /** Its OpenAPI tag, e.g. 'orders'. */
  readonly name: string;
  readonly description: string;
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  readonly definitions: {
    readonly commands: readonly CommandDefinition[];
    readonly queries: readonly QueryDefinition[];
  };
  /** Live queries re-run when these read models move. */
  readonly live?: LiveSource;
  /** Its processors: one stalled, stopped, not live or far behind makes `/health/ready` 503. */
  readonly processors?: { status(): Promise<readonly ProcessorStatus[]> };
  /** Its broker consumers: one whose last fetch or batch failed makes `/health/ready` 503. */
  readonly consumers?: readonly { readonly name: string; readonly lastError: string | undefined }[];
  /** Its event store: staff read its streams at `/streams/<name>/<stream>`. */
  readonly store?: EventStore;
}

export interface ShopServerOptions {
  /** Served together under `/commands/<type>` and `/queries/<type>`, one OpenAPI tag each. */
  readonly services: readonly ServedService[];
  readonly principals: Record<string, Principal>;
  /**
   * Idempotency keys: one store, or one per service by name (in that service's schema,
   * so each command's key is completed in its append's transaction).
   */
  readonly idempotency: IdempotencyStore | ((service: string) => IdempotencyStore);
  /** Served as the AsyncAPI document at `/asyncapi.json`. */
  readonly contracts?: readonly Contracts[];
  /** Requests per principal per minute (default 600). */
  readonly rateLimitPerMinute?: number;
  readonly logLevel?: string;
  /** Request logs go through a child of it at `logLevel` (default: a pino logger of Fastify's own). */
  readonly logger?: Logger;
  /** Mounts the web console at /console (same API keys; the staff role acts). */
  readonly console?: Omit<DuetConsoleOptions, 'authenticate'>;
}

// Ready means the read models are live, not far behind and not stalled: a load balancer
// should not send queries to an instance that would answer them with a stale-read after a
// long wait.
const maxReadyLagMs = 5_000;

/**
 * The orders service as the shop's HTTP API serves it.
 *
 * @example
 * await createShopServer({ services: [servedOrders(orders)], principals, idempotency });
 */
export function servedOrders(orders: OrdersService): ServedService {
  return {
    name: 'orders',
    description:
      'Carts and orders. A placed order is confirmed or cancelled by the placement saga.',
    commands: orders.commands,
    queries: orders.queries,
    definitions: orders.definitions,
    live: orders.live,
    processors: orders.processors,
    consumers: orders.consumers,
    store: orders.store,
  };
}

/**
 * The shop's HTTP API: the services' commands and queries side by side (types are unique
 * across the shop), API-key auth, idempotency keys, rate limits, OpenAPI at /openapi.json
 * with one tag per service, docs at /docs, AsyncAPI at /asyncapi.json with `contracts`.
 */
export async function createShopServer(options: ShopServerOptions): Promise<FastifyInstance> {
  const { services } = options;
  const level = options.logLevel ?? 'warn';
  // Requests log at `level` (info would print two lines per request), whatever the
  // services' logger lets through.
  // Requests Node refuses before any route (oversized headers, not HTTP) get a problem too.
  const clientErrorHandler = problemClientErrorHandler;
  const app = options.logger
    ? Fastify({
        loggerInstance: options.logger.child({}, { level }) as FastifyBaseLogger,
        clientErrorHandler,
      })
    : Fastify({ logger: { level }, clientErrorHandler });
  const commandOwner = new Map<string, ServedService>();
  const queryOwner = new Map<string, ServedService>();
  for (const service of services) {
    for (const { type } of service.definitions.commands) commandOwner.set(type, service);
    for (const { type } of service.definitions.queries) queryOwner.set(type, service);
  }
  // The plugin only sends the types it has routes for: each goes to its service's bus.
  const commandBus: CommandBus = {
    send(command, context) {
      const type = (command as { type?: unknown } | null)?.type;
      const service = typeof type === 'string' ? commandOwner.get(type) : undefined;
      return (service ?? services[0]!).commands.send(command, context);
    },
  };
  const queryBus = {
    ask(query: QueryDefinition | string, params: unknown, context?: object) {
      const type = typeof query === 'string' ? query : query.type;
      const service = queryOwner.get(type) ?? services[0]!;
      return service.queries.ask(type, params, context);
    },
  } as QueryBus;
  const lives = services.flatMap((service) => (service.live ? [service.live] : []));
  const live: LiveSource = {
    subscribe(projections, onChange) {
      const stops = lives.map((source) => source.subscribe(projections, onChange));
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
  const stores = services.flatMap((service) =>
    service.store ? [[service.name, service.store] as const] : [],
  );
  const tags: OpenApiTag[] = services.map((service) => ({
    name: service.name,
    description: service.description,
    types: [
      ...service.definitions.commands.map((definition) => definition.type),
      ...service.definitions.queries.map((definition) => definition.type),
    ],
  }));
  await app.register(duetHttp, {
    commandBus,
    queryBus,
    commands: services.flatMap((service) => service.definitions.commands),
    queries: services.flatMap((service) => service.definitions.queries),
    authenticate: apiKeyAuthentication({ keys: options.principals }),
    // Every command reply names the service that wrote it, as read token for the order
    // history, which takes in customers', catalog's, orders' and payments' events.
    readTokens: { service: (type) => commandOwner.get(type)?.name },
    idempotency: idempotencyFor(options.idempotency, commandOwner),
    rateLimit: { max: options.rateLimitPerMinute ?? 600, timeWindow: '1 minute' },
    maxPageSize: MAX_PAGE_SIZE,
    // The app is this API (and the console under its own prefix, with its own 404 page):
    // unknown paths answer problems too.
    notFound: true,
    ...(lives.length > 0 ? { live } : {}),
    openapi: {
      title: services.length === 1 ? `Duet shop: ${services[0]!.name}` : 'Duet shop',
      version: '0.1.0',
      description:
        'Send `x-api-key` (demo keys are printed at start). A command answers with a position; pass it as `minPosition` to a query of the same service to read your own write. It also answers with a `readToken`; pass it as `readToken` to the order history to see your write there.',
      tags,
    },
    ...(options.contracts ? { asyncapi: { contracts: options.contracts } } : {}),
    // Staff read their own tenant's streams as stored (support, audits).
    ...(stores.length > 0
      ? { streams: { stores: Object.fromEntries(stores), roles: ['staff'] } }
      : {}),
    async readiness() {
      const status = (
        await Promise.all(services.map((service) => service.processors?.status() ?? []))
      ).flat();
      const processors = processorReadiness(status, { maxLagMs: maxReadyLagMs });
      const consumers = services.flatMap((service) => service.consumers ?? []);
      const ready =
        processors.ready && consumers.every((consumer) => consumer.lastError === undefined);
      return {
        ready,
        details: [
          ...processors.details,
          ...consumers.map(({ name, lastError }) => ({
            consumer: name,
            state: lastError === undefined ? 'consuming' : 'failing',
            ...(lastError === undefined ? {} : { lastError }),
          })),
        ],
      };
    },
  });
  if (options.console) {
    await app.register(duetConsole, {
      prefix: '/console',
      ...options.console,
      authenticate: apiKeyAuthentication({ keys: options.principals }),
    });
  }
  return app;
}

/** The idempotency store of each command type: its owning service's, made once per service. */
function idempotencyFor(
  idempotency: IdempotencyStore | ((service: string) => IdempotencyStore),
  commandOwner: ReadonlyMap<string, ServedService>,
): IdempotencyStore | ((commandType: string) => IdempotencyStore | undefined) {
  if (typeof idempotency !== 'function') return idempotency;
  const stores = new Map<string, IdempotencyStore>();
  return (commandType) => {
    const service = commandOwner.get(commandType)?.name;
    if (service === undefined) return undefined;
    let store = stores.get(service);
    if (!store) {
      store = idempotency(service);
      stores.set(service, store);
    }
    return store;
  };
}
