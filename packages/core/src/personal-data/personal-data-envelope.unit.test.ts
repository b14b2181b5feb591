import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openField, sealField } from './personal-data-envelope.ts';

const key = new Uint8Array(randomBytes(32));

describe('sealField', () => {
  it('given any JSON value, then it opens to the same value at its place, and nowhere else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.uuid(), (value, id) => {
        const place = { id, field: 'name' };
        const sealed = sealField(key, 'member-1', place, value);
        expect(openField(key, sealed, place)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(() => openField(key, sealed, { id, field: 'email' })).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('given the same value at the same place, then it seals to the same bytes (a retried append is the same append)', () => {
    const place = { id: randomUUID(), field: 'name' };
    expect(sealField(key, 'member-1', place, 'Ada')).toEqual(
      sealField(key, 'member-1', place, 'Ada'),
    );
  });

  it('given different values or places, then the IVs differ: one IV never meets two plaintexts', () => {
    const id = randomUUID();
    const ivs = [
      sealField(key, 'member-1', { id, field: 'name' }, 'Ada'),
      sealField(key, 'member-1', { id, field: 'name' }, 'Bob'),
      sealField(key, 'member-1', { id, field: 'email' }, 'Ada'),
      sealField(key, 'member-1', { id: randomUUID(), field: 'name' }, 'Ada'),
    ].map((sealed) => sealed.$personal.iv);
    expect(new Set(ivs).size).toBe(4);
  });

  it('given another key, then it does not open', () => {
    const place = { id: randomUUID(), field: 'name' };
    const sealed = sealField(key, 'member-1', place, 'Ada');
    expect(() => openField(new Uint8Array(randomBytes(32)), sealed, place)).toThrow();
  });
});
