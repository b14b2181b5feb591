import {
  createQueryBus,
  type DuetLogger,
  type QueryBus,
  type QueryContext,
  type QueryDefinition,
  type QueryParamsOf,
  type QueryResultOf,
  type Transport,
} from '@duet/core';
import type { LiveSource } from '@duet/http';
import {
  createPostgresPersonalDataKeys,
  migrate,
  type SqlExecutor,
  withSchemaLock,
} from '@duet/postgres';
import type { ShopStreams } from '../contracts/message-streams.ts';
import { createHistoryConsistency, type HistoryConsistency } from './history-consistency.ts';
import {
  createHistoryConsumers,
  type HistorySource,
  historyConsumerName,
} from './history-consumers.ts';
import { createHistoryLive } from './history-live.ts';
import { historyTables, setupHistoryTables } from './history-tables.ts';
import { orderHistoryQueryHandlers } from './order-history-query-handlers.ts';

/** Options of `createOrderHistoryService`. */
export interface OrderHistoryServiceOptions {
  readonly executor: SqlExecutor;
  /** Its own schema: inbox tables and read model (default 'order_history'). */
  readonly schema?: string;
  readonly transport: Transport;
  /** The four publishing services' streams (`shopStreams()`). */
  readonly streams: ShopStreams;
  /**
   * The customers service's personal data key schema, in the same database: the history
   * opens the names and addresses customers publish sealed (default 'customers_keys').
   */
  readonly customerKeysSchema?: string;
  /** Deliveries per inbox transaction (default the consumer's, 100). */
  readonly batch?: number;
  /** How long a read-your-writes wait lasts by default (default 5,000 ms). */
  readonly defaultTimeoutMs?: number;
  /** Where its processors, relay and consumers log (a pino child, say) [none]. */
  readonly logger?: DuetLogger;
}

/** A query's context, plus read-your-writes tokens of any service (`<service>@<stream>:<version>`). */
export interface HistoryQueryContext extends QueryContext {
  readonly tokens?: readonly string[];
  /** How long to wait for the tokens (default the service's `defaultTimeoutMs`). */
  readonly timeoutMs?: number;
}

/**
 * The order history (FTGO's Order History service): a read model of orders with the
 * customer's name and address, the products' names, the prices at order time, the payment
 * state and the status, built from the integration events of orders, customers, catalog
 * and payments. `start()` starts the four consumers; `close()` stops them.
 *
 * @example
 * const history = await createOrderHistoryService({ executor, transport, streams: shopStreams() });
 * await history.start();
 * const page = await history.ask(OrderHistory, {}, { actor: 'ada', tokens: ['orders@order-o-1:1'] });
 */
export async function createOrderHistoryService(options: OrderHistoryServiceOptions) {
  const schema = options.schema ?? 'order_history';
  const { executor, transport, streams } = options;
  const logged = options.logger ? { logger: options.logger } : {};
  const tables = historyTables(schema);
  await migrate(executor, { schema });
  // Under the schema lock: several processes of the service may start at once.
  await withSchemaLock(executor, schema, (tx) => setupHistoryTables(tx, tables));
  const sources = Object.keys(streams) as HistorySource[];
  const consistency: HistoryConsistency = createHistoryConsistency({
    executor,
    schema,
    consumers: Object.fromEntries(sources.map((s) => [s, historyConsumerName(s)])),
  });
  const live = createHistoryLive({
    executor,
    schema,
    consumers: sources.map((s) => historyConsumerName(s)),
  });
  const consumers = createHistoryConsumers({
    executor,
    tables,
    transport,
    streams,
    committed: () => {
      consistency.notify();
      live.notify();
    },
    customerKeys: createPostgresPersonalDataKeys({
      executor,
      schema: options.customerKeysSchema ?? 'customers_keys',
    }),
    ...(options.batch === undefined ? {} : { batch: options.batch }),
    ...logged,
  });
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
  const queries: QueryBus = createQueryBus({
    handlers: orderHistoryQueryHandlers(executor, tables),
    consistency: consistency.hook,
    defaultTimeoutMs,
  });

  /**
   * Asks a history query. With `tokens`, the bus authorizes first, then waits (its
   * consistency waiter) until every token is consumed, or throws `StaleReadError`. The
   * same as `queries.ask` with `consistency: { tokens, timeoutMs }`.
   */
  async function ask<D extends QueryDefinition>(
    query: D,
    params: QueryParamsOf<D>,
    context: HistoryQueryContext = {},
  ): Promise<QueryResultOf<D>> {
    const { tokens, timeoutMs, ...rest } = context;
    if (tokens === undefined || tokens.length === 0) return queries.ask(query, params, rest);
    const wait = { tokens, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    return queries.ask(query, params, { ...rest, consistency: wait });
  }

  return {
    schema,
    consumers,
    queries,
    ask,
    /** Read-your-writes on its own (e.g. for an HTTP edge that answers 503 with Retry-After). */
    waitFor: consistency.waitFor,
    /** Live queries re-run when the history changes (here or in another process). */
    live: live as LiveSource,
    async start() {
      await Promise.all(consumers.map((consumer) => consumer.start()));
    },
    async close() {
      live.close();
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
}

export type OrderHistoryService = Awaited<ReturnType<typeof createOrderHistoryService>>;
