import { type JsonSchema, jsonSchemaOf, type Schema } from './schema.ts';

export interface QueryDefinition<Type extends string = string, Params = unknown, Result = unknown> {
  readonly kind: 'query';
  readonly type: Type;
  readonly params: Schema<Params>;
  readonly result: Schema<Result>;
  /** Names of the projections the answer is read from; a `minPosition` waits for all of them. */
  readonly projections: readonly string[];
  readonly description?: string;
  jsonSchema(): { params: JsonSchema | undefined; result: JsonSchema | undefined };
}

export type QueryParamsOf<D> = D extends QueryDefinition<string, infer P, unknown> ? P : never;
export type QueryResultOf<D> = D extends QueryDefinition<string, unknown, infer R> ? R : never;

/**
 * Declares a query: its parameters, its result and the read models it depends on.
 *
 * @example
 * const MyOrders = defineQuery('MyOrders', { params: z.object({ customerId: z.string() }),
 *   result: z.array(OrderSummary), projections: ['my-orders'] });
 */
export function defineQuery<const Type extends string, Params, Result>(
  type: Type,
  options: {
    params: Schema<Params>;
    result: Schema<Result>;
    projections?: readonly string[];
    description?: string;
    jsonSchema?: { params?: JsonSchema; result?: JsonSchema };
  },
): QueryDefinition<Type, Params, Result> {
  return {
    kind: 'query',
    type,
    params: options.params,
    result: options.result,
    projections: options.projections ?? [],
    ...(options.description === undefined ? {} : { description: options.description }),
    jsonSchema: () => ({
      // Parameters as a client sends them: one with a default is optional.
      params: options.jsonSchema?.params ?? jsonSchemaOf(options.params, 'draft-2020-12', 'input'),
      result: options.jsonSchema?.result ?? jsonSchemaOf(options.result),
    }),
  };
}
