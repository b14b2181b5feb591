import { ValidationError } from '../errors/validation-error.ts';
import type { QueryDefinition, QueryParamsOf, QueryResultOf } from '../messages/define-query.ts';
import type { QueryContext, QueryHandler, QueryPolicy } from './query-bus.ts';

/**
 * Declares how a query is answered: `handle` gets the validated parameters and the context.
 * Without `authorize` anyone may ask (the bus's `policies` may still refuse).
 *
 * @example
 * const myOrders = defineQueryHandler(MyOrders, async ({ customerId }) =>
 *   db.query('select * from my_orders where customer_id = $1', [customerId]));
 */
export function defineQueryHandler<D extends QueryDefinition>(
  query: D,
  handle: (params: QueryParamsOf<D>, context: QueryContext) => Promise<QueryResultOf<D>>,
  options: { readonly authorize?: QueryPolicy<QueryParamsOf<D>> } = {},
): QueryHandler<D> {
  if (query?.kind !== 'query' || typeof query.type !== 'string') {
    throw new ValidationError('option query', [
      { path: [], message: 'expected a definition made by defineQuery' },
    ]);
  }
  if (typeof handle !== 'function') {
    throw new ValidationError(`option handle (query ${query.type})`, [
      { path: [], message: 'expected a function' },
    ]);
  }
  const { authorize } = options;
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new ValidationError(`option authorize (query ${query.type})`, [
      { path: [], message: 'expected a function' },
    ]);
  }
  return {
    kind: 'query-handler',
    query,
    handle,
    ...(authorize === undefined ? {} : { authorize }),
  };
}
