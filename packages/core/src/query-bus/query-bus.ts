import type { Position } from '../event-store/position.ts';
import type { QueryDefinition, QueryParamsOf, QueryResultOf } from '../messages/define-query.ts';

/**
 * Who asks a query and how fresh the answer must be. Comes from the transport, never from
 * the query's parameters.
 *
 * @example
 * await queries.ask('MyOrders', { customerId: 'c-1' }, { actor: 'c-1',
 *   consistency: { minPosition: reply.position, timeoutMs: 2_000 } });
 */
export interface QueryContext {
  readonly actor?: string;
  readonly tenant?: string;
  readonly roles?: readonly string[];
  /**
   * Read-your-writes: answer only once the query's read models have reached `minPosition`
   * (a command's reply position) and every one of `tokens` (1 to 16 strings whose meaning
   * is the waiter's, e.g. `formatReadToken`'s `<service>@<stream>:<version>` of other
   * services), waiting at most `timeoutMs` (the bus's default if absent). At least one of
   * `minPosition` and `tokens`.
   */
  readonly consistency?: {
    readonly minPosition?: string;
    readonly tokens?: readonly string[];
    readonly timeoutMs?: number;
  };
  readonly signal?: AbortSignal;
}

/**
 * Decides whether a context may ask a query: `true` allows it; `false` or a string (the
 * reason) refuses it with an `AuthorizationError`.
 *
 * @example
 * const ownOnly: QueryPolicy<{ customerId: string }> = (params, context) =>
 *   params.customerId === context.actor || 'customers see their own orders';
 */
export type QueryPolicy<Params = unknown> = (
  params: Params,
  context: QueryContext,
) => boolean | string | Promise<boolean | string>;

/** What the bus asks a `ConsistencyWaiter` to wait for. */
export interface ConsistencyRequest {
  /** The read models the query reads (its definition's `projections`). */
  readonly projections: readonly string[];
  /** `START_POSITION` when the query gave only tokens. */
  readonly minPosition: Position;
  /**
   * Tokens the query must see, empty when none: what they name is the waiter's business
   * (e.g. other services' writes). A waiter that cannot tell must refuse a non-empty list
   * with `CONSISTENCY_UNSUPPORTED` rather than ignore it.
   */
  readonly tokens: readonly string[];
  readonly timeoutMs: number;
  readonly queryType: string;
  readonly signal?: AbortSignal;
}

/**
 * Resolves once every named projection has reached the position (and the tokens, for a
 * waiter that knows them); rejects with a `StaleReadError` when the time runs out. The
 * projection runner provides one.
 *
 * @example
 * const consistency: ConsistencyWaiter = async ({ projections, minPosition, timeoutMs }) =>
 *   runner.waitFor(projections, minPosition, timeoutMs);
 */
export type ConsistencyWaiter = (request: ConsistencyRequest) => Promise<void>;

/**
 * Answers one query. Made by `defineQueryHandler`. (`handle` is a method so handlers of
 * different queries fit in one list.)
 */
export interface QueryHandler<D extends QueryDefinition = QueryDefinition> {
  readonly kind: 'query-handler';
  readonly query: D;
  handle(params: QueryParamsOf<D>, context: QueryContext): Promise<QueryResultOf<D>>;
  /** Checked after the bus's own policy for the query type, if any. */
  authorize?(
    params: QueryParamsOf<D>,
    context: QueryContext,
  ): boolean | string | Promise<boolean | string>;
}

/** Options of `createQueryBus`. */
export interface QueryBusOptions {
  /** One handler per query type; a type handled twice is an error. */
  readonly handlers: readonly QueryHandler[];
  /** Extra policies by query type, checked before the handler's own. Default: none. */
  readonly policies?: Readonly<Record<string, QueryPolicy>>;
  /** Waits for read models; without it a query that asks for consistency is refused. */
  readonly consistency?: ConsistencyWaiter;
  /** How long a consistency wait lasts when the context gives no `timeoutMs` (default 5000). */
  readonly defaultTimeoutMs?: number;
  /** Check each answer against the query's result schema (default false: costs a pass). */
  readonly validateResults?: boolean;
}

/**
 * Sends queries to their handlers.
 *
 * @example
 * const orders = await queries.ask(MyOrders, { customerId: 'c-1' }, { actor: 'c-1' });
 */
export interface QueryBus {
  /**
   * Validates, authorizes, waits for consistency if asked, then answers. Throws
   * `UnknownMessageError`, `ValidationError`, `AuthorizationError`, `StaleReadError` or a
   * `DuetError` coded `CONSISTENCY_UNSUPPORTED`.
   */
  ask<D extends QueryDefinition>(
    query: D,
    params: QueryParamsOf<D>,
    context?: QueryContext,
  ): Promise<QueryResultOf<D>>;
  ask(type: string, params: unknown, context?: QueryContext): Promise<unknown>;
}
