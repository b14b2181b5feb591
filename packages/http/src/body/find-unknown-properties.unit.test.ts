import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findUnknownProperties } from './find-unknown-properties.ts';

const schemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;

describe('findUnknownProperties', () => {
  const schema = z.toJSONSchema(
    z.object({
      cartId: z.string(),
      lines: z.array(z.object({ sku: z.string() })),
      meta: z.looseObject({}),
      tags: z.record(z.string(), z.object({ on: z.boolean() })),
    }),
  ) as Record<string, unknown>;

  it('given only declared properties, when checked, then nothing is reported', () => {
    const value = {
      cartId: 'c',
      lines: [{ sku: 'a' }],
      meta: { any: 1 },
      tags: { x: { on: true } },
    };
    expect(findUnknownProperties(value, schema)).toEqual([]);
  });

  it('given one schema object under two roots, when checked against each, then each root resolves its own $ref', () => {
    // The shapes of a schema are remembered between requests: per root, since a $ref
    // inside an allOf means whatever the root it is checked under defines.
    const item = { type: 'object', allOf: [{ $ref: '#/$defs/line' }] };
    const strict = {
      $defs: { line: { type: 'object', properties: { sku: {} } } },
      properties: { item },
    };
    const open = {
      $defs: { line: { type: 'object', additionalProperties: true } },
      properties: { item },
    };
    const value = { item: { sku: 'a', note: 'x' } };
    for (let request = 0; request < 2; request++) {
      expect(findUnknownProperties(value, strict)).toEqual([
        { path: ['item', 'note'], message: 'unknown property' },
      ]);
      expect(findUnknownProperties(value, open)).toEqual([]);
    }
  });

  it('given unknown properties at any depth, when checked, then each is reported with its path', () => {
    const value = {
      cartId: 'c',
      actor: 'evil',
      lines: [{ sku: 'a' }, { sku: 'b', price: 0 }],
      tags: { x: { on: true, extra: 1 } },
    };
    expect(findUnknownProperties(value, schema).map((issue) => issue.path)).toEqual([
      ['actor'],
      ['lines', 1, 'price'],
      ['tags', 'x', 'extra'],
    ]);
  });

  it('given a union, when the value fits one branch, then nothing is reported', () => {
    const union = schemaOf(
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('a'), a: z.string() }),
        z.object({ kind: z.literal('b'), b: z.string() }),
      ]),
    );
    expect(findUnknownProperties({ kind: 'b', b: 'x' }, union)).toEqual([]);
    expect(findUnknownProperties({ kind: 'b', b: 'x', c: 1 }, union)).toHaveLength(1);
  });

  it('given an intersection, when keys come from either side, then they are known', () => {
    const both = schemaOf(z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() })));
    expect(findUnknownProperties({ a: 'x', b: 'y' }, both)).toEqual([]);
    expect(findUnknownProperties({ a: 'x', c: 'y' }, both).map((i) => i.path)).toEqual([['c']]);
  });

  it('given a recursive schema with $ref, when checked, then references are followed', () => {
    type Node = { name: string; children: Node[] };
    const node: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: z.string(), children: z.array(node) }),
    );
    const value = { name: 'a', children: [{ name: 'b', children: [], oops: 1 }] };
    expect(findUnknownProperties(value, schemaOf(node)).map((i) => i.path)).toEqual([
      ['children', 0, 'oops'],
    ]);
  });
});
