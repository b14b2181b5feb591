import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clampPageSize } from './clamp-page-size.ts';
import { coerceQueryParams } from './coerce-query-params.ts';

const schema = z.toJSONSchema(
  z.object({
    limit: z.number().int().optional(),
    ratio: z.number().optional(),
    on: z.boolean().optional(),
    ids: z.array(z.string()).optional(),
    sizes: z.array(z.number()).optional(),
    name: z.string().optional(),
    maybe: z.number().nullable().optional(),
  }),
) as Record<string, unknown>;

describe('coerceQueryParams', () => {
  it('given text for typed parameters, when coerced, then numbers, booleans, arrays and null come out', () => {
    expect(
      coerceQueryParams(
        {
          limit: '10',
          ratio: '-1.5e2',
          on: 'true',
          ids: 'a',
          sizes: ['1', '2'],
          name: '007',
          maybe: 'null',
        },
        schema,
      ),
    ).toEqual({
      limit: 10,
      ratio: -150,
      on: true,
      ids: ['a'],
      sizes: [1, 2],
      name: '007',
      maybe: null,
    });
  });

  it('given text that does not fit, when coerced, then it is left for the schema check', () => {
    expect(coerceQueryParams({ limit: 'ten', on: 'yes', ratio: '0x10' }, schema)).toEqual({
      limit: 'ten',
      on: 'yes',
      ratio: '0x10',
    });
  });

  it('given an undeclared or __proto__ key, when coerced, then it stays an own property', () => {
    const result = coerceQueryParams({ __proto__: 'x', other: '1' } as never, schema);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toContain('other');
  });
});

describe('clampPageSize', () => {
  const withMax = { properties: { limit: { type: 'integer', maximum: 50 }, pageSize: {} } };
  it('given a page size above the bound, when clamped, then the bound is used', () => {
    expect(clampPageSize({ limit: 1e9, pageSize: 1e9 }, withMax, 100)).toEqual({
      limit: 50,
      pageSize: 100,
    });
  });
  it('given a page size within bounds or not a number, when clamped, then it is kept', () => {
    expect(clampPageSize({ limit: 5, pageSize: 'x' }, withMax, 100)).toEqual({
      limit: 5,
      pageSize: 'x',
    });
  });
});
