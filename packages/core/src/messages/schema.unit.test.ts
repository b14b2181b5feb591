import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/validation-error.ts';
import { jsonSchemaOf, validate } from './schema.ts';

describe('validate', () => {
  const schema = z.object({
    lines: z.array(z.object({ sku: z.string() })),
    note: z.string().default(''),
  });

  it('given valid input, when validated, then the schema output comes back', async () => {
    await expect(validate(schema, { lines: [] }, 'command X')).resolves.toEqual({
      lines: [],
      note: '',
    });
  });

  it('given invalid input, when validated, then ValidationError has every failing path', async () => {
    const error = await validate(schema, { lines: [{ sku: 1 }], note: 2 }, 'command X').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION', subject: 'command X' });
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      ['lines', 0, 'sku'],
      ['note'],
    ]);
    expect((error as Error).message).toContain('lines.0.sku');
  });

  it('given an async Standard Schema validator, when validated, then its promise is awaited', async () => {
    const asyncSchema: StandardSchemaV1<unknown, string> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) =>
          typeof value === 'string'
            ? { value }
            : { issues: [{ message: 'not a string', path: [{ key: 'root' }] }] },
      },
    };
    await expect(validate(asyncSchema, 'ok', 's')).resolves.toBe('ok');
    await expect(validate(asyncSchema, 1, 's')).rejects.toMatchObject({
      issues: [{ path: ['root'], message: 'not a string' }],
    });
  });
});

describe('jsonSchemaOf', () => {
  it('given a zod schema, when converted, then a draft 2020-12 JSON Schema comes back', () => {
    expect(jsonSchemaOf(z.object({ a: z.string() }))).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
    });
  });

  it('given a validator without Standard JSON Schema, when converted, then undefined', () => {
    const bare: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) },
    };
    expect(jsonSchemaOf(bare)).toBeUndefined();
  });
});
