import type { JsonSchema } from '@duet/core';

type Raw = string | readonly string[] | undefined;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Turns a query string's text into the types the query's parameter schema declares:
 * numbers, integers, booleans (`true`/`false`), `null`, and arrays (a repeated key, or one
 * value for an array property). Text that does not fit is left as it is, so the schema
 * check reports it with its path. Keys the schema does not declare are kept, for the
 * unknown-property check to name.
 *
 * @example
 * coerceQueryParams({ limit: '10', tags: 'a' }, { properties: { limit: { type: 'integer' },
 *   tags: { type: 'array', items: { type: 'string' } } } })  // { limit: 10, tags: ['a'] }
 */
export function coerceQueryParams(
  query: Readonly<Record<string, Raw>>,
  schema: JsonSchema | undefined,
): Record<string, unknown> {
  const properties = isObject(schema?.properties) ? schema.properties : {};
  // fromEntries defines own properties, so a `__proto__` key cannot reach a prototype.
  return Object.fromEntries(
    Object.entries(query).map(([key, raw]) => [
      key,
      Object.hasOwn(properties, key) ? coerce(raw, properties[key], schema) : raw,
    ]),
  );
}

function coerce(raw: Raw, schema: unknown, root: JsonSchema | undefined): unknown {
  if (raw === undefined) return undefined;
  const types = typesOf(schema, root);
  if (types.has('array')) {
    const items = isObject(schema) ? resolve(schema.items, root) : undefined;
    return (typeof raw === 'string' ? [raw] : raw).map((item) =>
      scalar(item, typesOf(items, root)),
    );
  }
  return typeof raw === 'string' ? scalar(raw, types) : [...raw];
}

function scalar(text: string, types: ReadonlySet<string>): unknown {
  if (types.has('string') || types.size === 0) return text;
  if ((types.has('number') || types.has('integer')) && NUMBER.test(text)) return Number(text);
  if (types.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.has('null') && (text === '' || text === 'null')) return null;
  return text;
}

/** The JSON types a schema admits, looking through `$ref`, `anyOf`, `oneOf` and `const`/`enum`. */
function typesOf(schema: unknown, root: JsonSchema | undefined, depth = 0): Set<string> {
  const types = new Set<string>();
  const resolved = resolve(schema, root);
  if (!isObject(resolved) || depth > 8) return types;
  const { type } = resolved;
  for (const name of Array.isArray(type) ? type : [type]) {
    if (typeof name === 'string') types.add(name);
  }
  const literals = 'const' in resolved ? [resolved.const] : resolved.enum;
  if (Array.isArray(literals)) {
    for (const literal of literals) types.add(literal === null ? 'null' : typeof literal);
  }
  for (const branch of [resolved.anyOf, resolved.oneOf, resolved.allOf]) {
    if (!Array.isArray(branch)) continue;
    for (const part of branch) for (const name of typesOf(part, root, depth + 1)) types.add(name);
  }
  return types;
}

function resolve(schema: unknown, root: JsonSchema | undefined): unknown {
  if (!isObject(schema) || typeof schema.$ref !== 'string' || !schema.$ref.startsWith('#/')) {
    return schema;
  }
  let current: unknown = root;
  for (const part of schema.$ref.slice(2).split('/')) {
    current = isObject(current) && Object.hasOwn(current, part) ? current[part] : undefined;
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
