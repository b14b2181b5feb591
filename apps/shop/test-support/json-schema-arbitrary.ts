// Test support: fast-check arbitraries from the JSON Schemas of an OpenAPI document, for
// the subset the shop's document uses (object, string, integer, number, boolean, array,
// enum, anyOf, type lists, date-time). `validValue` stays inside a schema; `brokenValue`
// breaks it in one place: a wrong type, a missing required property, an extra property,
// a huge string, a NUL or a lone surrogate, a number out of range.
import fc from 'fast-check';

/** The part of JSON Schema the generators read. */
export interface JsonSchemaSubset {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchemaSubset>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchemaSubset;
  readonly items?: JsonSchemaSubset;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchemaSubset[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * Known-good strings per property name (an order that exists, a product with a price), mixed
 * with random ones, so that generated commands meet real aggregates and not only 404s.
 */
export type StringPools = Readonly<Record<string, readonly string[]>>;

/** Largest string a broken value carries: over the body limit (1 MiB) only at the top. */
const HUGE_LENGTHS = [10_000, 300_000, 1_100_000];

function typesOf(schema: JsonSchemaSubset): string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : [...schema.type];
}

function stringArb(schema: JsonSchemaSubset, pool: readonly string[] = []): fc.Arbitrary<string> {
  if (schema.format === 'date-time') {
    const min = new Date('2000-01-01T00:00:00Z');
    const max = new Date('2100-01-01T00:00:00Z');
    return fc.date({ min, max, noInvalidDate: true }).map((date) => date.toISOString());
  }
  const random = fc.string({ minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 40 });
  return pool.length > 0 ? fc.oneof(fc.constantFrom(...pool), random) : random;
}

function integerArb(schema: JsonSchemaSubset): fc.Arbitrary<number> {
  const min = Math.max(schema.minimum ?? -1_000_000, Number.MIN_SAFE_INTEGER);
  const max = Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER);
  // Near the lower bound most of the time: quantities and versions that mean something.
  return fc.oneof(fc.integer({ min, max: Math.min(max, min + 10) }), fc.integer({ min, max }));
}

/**
 * Values that satisfy `schema`; strings of a property named in `pools` come from it half
 * of the time.
 *
 * @example
 * fc.sample(validValue({ type: 'integer', minimum: 1, maximum: 3 }), 2); // e.g. [1, 3]
 */
export function validValue(
  schema: JsonSchemaSubset,
  pools: StringPools = {},
  pool: readonly string[] = [],
): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((part) => validValue(part, pools, pool)));
  const types = typesOf(schema);
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => validValue({ ...schema, type }, pools, pool)));
  }
  switch (types[0]) {
    case 'object': {
      const properties = schema.properties ?? {};
      const arbs = Object.fromEntries(
        Object.entries(properties).map(([name, part]) => [
          name,
          validValue(part, pools, pools[name]),
        ]),
      );
      return fc.record(arbs, { requiredKeys: [...(schema.required ?? [])] });
    }
    case 'array':
      return fc.array(validValue(schema.items ?? {}, pools, pool), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'string':
      return stringArb(schema, pool);
    case 'integer':
      return integerArb(schema);
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** A value of a JSON type the schema does not admit. */
function wrongType(schema: JsonSchemaSubset): fc.Arbitrary<unknown> {
  const allowed = new Set([...typesOf(schema), ...(schema.anyOf ?? []).flatMap(typesOf)]);
  if (allowed.has('number')) allowed.add('integer');
  const candidates: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.string({ maxLength: 8 })],
    ['integer', fc.integer()],
    ['number', fc.double({ noNaN: true, noDefaultInfinity: true })],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 })],
    ['object', fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }))],
  ];
  const wrong = candidates.filter(([type]) => !allowed.has(type)).map(([, arb]) => arb);
  return fc.oneof(...wrong);
}

function brokenLeaf(schema: JsonSchemaSubset, huge: boolean): fc.Arbitrary<unknown>[] {
  const types = new Set([...typesOf(schema), ...(schema.anyOf ?? []).flatMap(typesOf)]);
  const broken: fc.Arbitrary<unknown>[] = [];
  if (types.has('string')) {
    const lengths = [(schema.maxLength ?? 200) + 1, ...HUGE_LENGTHS.filter(() => huge)];
    broken.push(
      fc.constantFrom(...lengths).map((length) => 'x'.repeat(length)),
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\u0000${b}`),
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\ud800${b}`),
    );
    if (schema.minLength) broken.push(fc.constant(''));
  }
  if (types.has('integer') || types.has('number')) {
    const below = (schema.minimum ?? 0) - 1;
    broken.push(
      fc.constantFrom(-1, below, Number.MIN_SAFE_INTEGER, -1e300),
      fc.constantFrom((schema.maximum ?? Number.MAX_SAFE_INTEGER) + 1, 1e300),
    );
    if (types.has('integer') && !types.has('number')) broken.push(fc.constant(1.5));
  }
  return broken;
}

/**
 * Values that break `schema` in one place (somewhere inside it, or the whole). `huge`
 * allows strings up to just over the 1 MiB body limit (for bodies, not query strings).
 *
 * @example
 * fc.sample(brokenValue({ type: 'object', required: ['a'], properties: { a: {} } }), 1);
 */
export function brokenValue(
  schema: JsonSchemaSubset,
  { pools = {}, huge = true }: { pools?: StringPools; huge?: boolean } = {},
): fc.Arbitrary<unknown> {
  const broken: fc.Arbitrary<unknown>[] = [wrongType(schema), ...brokenLeaf(schema, huge)];
  if (typesOf(schema).includes('object')) {
    const valid = validValue(schema, pools) as fc.Arbitrary<Record<string, unknown>>;
    for (const [name, part] of Object.entries(schema.properties ?? {})) {
      broken.push(
        fc
          .tuple(valid, brokenValue(part, { pools, huge }))
          .map(([value, bad]) => ({ ...value, [name]: bad })),
      );
    }
    for (const name of schema.required ?? []) {
      broken.push(valid.map(({ [name]: _gone, ...rest }) => rest));
    }
    if (schema.additionalProperties === false) {
      broken.push(
        fc
          .tuple(valid, fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }))
          .map(([value, key, extra]) => ({ ...value, [`extra-${key}`]: extra })),
      );
    }
  }
  if (typesOf(schema).includes('array') && schema.items) {
    broken.push(
      fc.array(brokenValue(schema.items, { pools, huge }), { minLength: 1, maxLength: 2 }),
    );
  }
  return fc.oneof(...broken);
}
