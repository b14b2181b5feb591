import type { IdempotencyStore } from '@duet/core';
import { apiKeyAuthentication, duetHttp, type LiveSource, type Principal } from '@duet/http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { OrdersService } from '../orders/orders-service.ts';
import { MAX_PAGE_SIZE } from '../orders/queries/order-queries.ts';

export interface ShopServerOptions {
  readonly orders: OrdersService;
  readonly principals: Record<string, Principal>;
  readonly idempotency: IdempotencyStore;
  readonly live?: LiveSource;
  /** Requests per principal per minute (default 600). */
  readonly rateLimitPerMinute?: number;
  readonly logLevel?: string;
}

// Ready means the read models are live and not far behind: a load balancer should not send
// queries to an instance that would answer them with a stale-read after a long wait.
const maxReadyLagMs = 5_000;

/**
 * The shop's HTTP API: the orders service's commands and queries, API-key auth, idempotency
 * keys, rate limits, OpenAPI at /openapi.json and docs at /docs.
 */
export async function createShopServer(options: ShopServerOptions): Promise<FastifyInstance> {
  const { orders } = options;
  const app = Fastify({ logger: { level: options.logLevel ?? 'warn' } });
  await app.register(duetHttp, {
    commandBus: orders.commands,
    queryBus: orders.queries,
    commands: orders.definitions.commands,
    queries: orders.definitions.queries,
    authenticate: apiKeyAuthentication({ keys: options.principals }),
    idempotency: options.idempotency,
    rateLimit: { max: options.rateLimitPerMinute ?? 600, timeWindow: '1 minute' },
    maxPageSize: MAX_PAGE_SIZE,
    ...(options.live ? { live: options.live } : {}),
    openapi: {
      title: 'Duet shop: orders',
      version: '0.1.0',
      description:
        'Carts and orders. Send `x-api-key` (demo keys are printed at start). A command answers with a position; pass it as `minPosition` to a query to read your own write.',
    },
    async readiness() {
      const status = await orders.processors.status();
      const ready = status.every(
        (s) => !s.active || (s.state === 'live' && s.lagMs <= maxReadyLagMs),
      );
      return {
        ready,
        details: status.map(({ name, version, partition, state, lagEvents, lagMs, active }) => ({
          name,
          version,
          partition,
          active,
          state,
          lagEvents,
          lagMs,
        })),
      };
    },
  });
  return app;
}
