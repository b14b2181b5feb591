import { AuthorizationError } from '../errors/authorization-error.ts';
import { DuetError } from '../errors/duet-error.ts';
import { ErrorCode } from '../errors/error-code.ts';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { QueryDefinition, QueryParamsOf, QueryResultOf } from '../messages/define-query.ts';
import { validate } from '../messages/schema.ts';
import { inTenant } from '../tenancy/tenant-scope.ts';
import type { QueryBus, QueryBusOptions, QueryContext, QueryHandler } from './query-bus.ts';
import { isTimeout, resolveConsistency } from './resolve-consistency.ts';

type Verdict = boolean | string | Promise<boolean | string>;

/**
 * Creates a query bus. Each query is looked up by type, its parameters checked against
 * its schema, authorized, made to wait for its read models when the context asks for a
 * `minPosition`, and answered by its handler.
 *
 * Authorization: without `policies` or a handler's `authorize`, every query is allowed.
 *
 * @example
 * const queries = createQueryBus({ handlers: [myOrders], consistency: runner.waitFor });
 * const orders = await queries.ask(MyOrders, { customerId: 'c-1' });
 */
export function createQueryBus(options: QueryBusOptions): QueryBus {
  const byType = checkQueryBusOptions(options);
  const policies = options.policies ?? {};
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;

  function ask<D extends QueryDefinition>(
    query: D,
    params: QueryParamsOf<D>,
    context?: QueryContext,
  ): Promise<QueryResultOf<D>>;
  function ask(type: string, params: unknown, context?: QueryContext): Promise<unknown>;
  async function ask(
    query: string | QueryDefinition,
    params: unknown,
    context: QueryContext = {},
  ): Promise<unknown> {
    // The context's tenant scopes the wait and the read (see inTenant).
    return inTenant(context.tenant, () => answer(query, params, context));
  }

  async function answer(
    query: string | QueryDefinition,
    params: unknown,
    context: QueryContext,
  ): Promise<unknown> {
    const type = typeof query === 'string' ? query : query?.type;
    const handler = typeof type === 'string' ? byType.get(type) : undefined;
    if (typeof type !== 'string' || !handler) {
      throw new UnknownMessageError('query', String(type));
    }
    const subject = `query ${type}`;
    const checked = await validate(handler.query.params, params, subject);
    const wait = resolveConsistency(type, context, defaultTimeoutMs);
    await authorize(type, checked, context, policies[type]);
    await authorize(type, checked, context, handler.authorize?.bind(handler));
    if (wait) {
      if (!options.consistency) {
        throw new DuetError(
          ErrorCode.CONSISTENCY_UNSUPPORTED,
          `${subject} asked for read-your-writes, but this query bus has no consistency waiter`,
        );
      }
      context.signal?.throwIfAborted();
      await options.consistency({
        projections: handler.query.projections,
        queryType: type,
        ...wait,
        ...(context.signal ? { signal: context.signal } : {}),
      });
    }
    context.signal?.throwIfAborted();
    const result = await handler.handle(checked, context);
    return options.validateResults
      ? validate(handler.query.result, result, `${subject} result`)
      : result;
  }

  return { ask };
}

/** Only `true` lets a query through: a policy that returns nothing refuses (fails closed). */
async function authorize(
  type: string,
  params: unknown,
  context: QueryContext,
  policy: ((params: unknown, context: QueryContext) => Verdict) | undefined,
): Promise<void> {
  if (policy === undefined) return;
  const verdict = await policy(params, context);
  if (verdict === true) return;
  const reason = typeof verdict === 'string' && verdict.length > 0 ? verdict : 'refused by policy';
  throw new AuthorizationError(type, reason, context.actor);
}

function checkQueryBusOptions(options: QueryBusOptions): Map<string, QueryHandler> {
  const fail = (option: string, path: (string | number)[], message: string) =>
    new ValidationError(`option ${option}`, [{ path, message }]);
  if (typeof options !== 'object' || options === null) {
    throw fail('options', [], 'expected an object');
  }
  const { handlers, policies, consistency, defaultTimeoutMs, validateResults } = options;
  if (!Array.isArray(handlers) || handlers.length === 0) {
    throw fail('handlers', [], 'expected at least one handler made by defineQueryHandler');
  }
  const byType = new Map<string, QueryHandler>();
  handlers.forEach((handler, index) => {
    if (handler?.kind !== 'query-handler') {
      throw fail('handlers', [index], 'expected a handler made by defineQueryHandler');
    }
    if (byType.has(handler.query.type)) {
      throw fail('handlers', [index], `query type ${handler.query.type} is handled twice`);
    }
    byType.set(handler.query.type, handler);
  });
  if (policies !== undefined) {
    if (typeof policies !== 'object' || policies === null) {
      throw fail('policies', [], 'expected an object of policies by query type');
    }
    for (const [type, policy] of Object.entries(policies)) {
      if (typeof policy !== 'function') throw fail('policies', [type], 'expected a function');
      // A policy for a type nothing answers is most likely a typo that would guard nothing.
      if (!byType.has(type)) throw fail('policies', [type], 'no handler answers this query type');
    }
  }
  if (consistency !== undefined && typeof consistency !== 'function') {
    throw fail('consistency', [], 'expected a function');
  }
  if (defaultTimeoutMs !== undefined && !isTimeout(defaultTimeoutMs)) {
    throw fail('defaultTimeoutMs', [], 'expected a whole number of milliseconds >= 0');
  }
  if (validateResults !== undefined && typeof validateResults !== 'boolean') {
    throw fail('validateResults', [], 'expected true or false');
  }
  return byType;
}
