import { type QueryDefinition, ValidationError } from '@duet/core';
import { findUnknownProperties } from '../body/find-unknown-properties.ts';
import { clampPageSize } from './clamp-page-size.ts';
import { coerceQueryParams } from './coerce-query-params.ts';

// Converting a schema to JSON Schema costs more than the rest of a small query's request:
// once per definition, not per request (seen as 2 % of a busy query service's CPU).
const paramsSchemas = new WeakMap<
  QueryDefinition,
  ReturnType<QueryDefinition['jsonSchema']>['params']
>();

function paramsSchemaOf(definition: QueryDefinition) {
  if (!paramsSchemas.has(definition)) paramsSchemas.set(definition, definition.jsonSchema().params);
  return paramsSchemas.get(definition);
}

/**
 * A query's parameters as the bus should get them: from the query string (coerced to the
 * schema's types) or a JSON body, unknown properties refused, page sizes clamped.
 *
 * @example
 * const params = prepareQueryParams(MyOrders, { from: 'query', values: request.query }, 100);
 */
export function prepareQueryParams(
  definition: QueryDefinition,
  input:
    | { readonly from: 'query'; readonly values: Record<string, string | string[] | undefined> }
    | { readonly from: 'body'; readonly value: unknown },
  maxPageSize: number,
): unknown {
  const schema = paramsSchemaOf(definition);
  const params = input.from === 'query' ? coerceQueryParams(input.values, schema) : input.value;
  if (schema) {
    const unknown = findUnknownProperties(params, schema);
    if (unknown.length > 0) throw new ValidationError(`query ${definition.type}`, unknown);
  }
  return clampPageSize(params, schema, maxPageSize);
}
