import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { defineEvent } from './define-event.ts';
import { createEventRegistry } from './event-registry.ts';

// v1 { name }, v2 { fullName }, v3 { firstName, lastName }.
const CustomerRegistered = defineEvent(
  'CustomerRegistered',
  z.object({ firstName: z.string(), lastName: z.string() }),
  {
    version: 3,
    upcasters: {
      1: (data) => ({ fullName: (data as { name: string }).name }),
      2: (data) => {
        const [firstName = '', lastName = ''] = (data as { fullName: string }).fullName.split(' ');
        return { firstName, lastName };
      },
    },
  },
);
const OrderPlaced = defineEvent('OrderPlaced', z.object({ orderId: z.string() }));

describe('createEventRegistry', () => {
  const registry = createEventRegistry([CustomerRegistered, OrderPlaced]);

  it('given valid data, when checked, then the data comes back with the current version', async () => {
    await expect(registry.check('OrderPlaced', { orderId: 'o1' })).resolves.toEqual({
      data: { orderId: 'o1' },
      schemaVersion: 1,
    });
    const checked = await registry.check('CustomerRegistered', { firstName: 'A', lastName: 'B' });
    expect(checked.schemaVersion).toBe(3);
  });

  it('given invalid data, when checked, then ValidationError names the event and the path', async () => {
    const error = await registry.check('OrderPlaced', { orderId: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ subject: 'event OrderPlaced', issues: [{ path: ['orderId'] }] });
  });

  it('given a strict registry, when an unknown type is checked, then UnknownMessageError', async () => {
    await expect(registry.check('Nope', {})).rejects.toThrow(UnknownMessageError);
  });

  it('given a lax registry, when an unknown type is checked, then it passes as version 1', async () => {
    const lax = createEventRegistry([OrderPlaced], { strict: false });
    await expect(lax.check('Nope', { any: 1 })).resolves.toEqual({
      data: { any: 1 },
      schemaVersion: 1,
    });
  });

  it('given v1 data, when upcast, then both upcasters run in order up to v3', () => {
    expect(registry.upcast('CustomerRegistered', { name: 'Ada Lovelace' }, 1)).toEqual({
      data: { firstName: 'Ada', lastName: 'Lovelace' },
      schemaVersion: 3,
    });
  });

  it('given v2 data, when upcast, then only the last upcaster runs', () => {
    expect(registry.upcast('CustomerRegistered', { fullName: 'Alan Turing' }, 2)).toEqual({
      data: { firstName: 'Alan', lastName: 'Turing' },
      schemaVersion: 3,
    });
  });

  it('given current or unknown data, when upcast, then it is left alone', () => {
    const current = { firstName: 'A', lastName: 'B' };
    expect(registry.upcast('CustomerRegistered', current, 3).data).toBe(current);
    expect(registry.upcast('Nope', current, 1)).toEqual({ data: current, schemaVersion: 1 });
  });

  it('given one type defined twice, when created, then TypeError', () => {
    expect(() => createEventRegistry([OrderPlaced, OrderPlaced])).toThrow('defined twice');
  });

  it('given a type, when looked up, then its definition or undefined comes back', () => {
    expect(registry.get('OrderPlaced')).toBe(OrderPlaced);
    expect(registry.get('Nope')).toBeUndefined();
  });
});
