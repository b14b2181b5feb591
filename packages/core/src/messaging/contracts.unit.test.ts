import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/validation-error.ts';
import { defineEvent } from '../messages/define-event.ts';
import { defineContracts } from './define-contracts.ts';
import { defineIntegrationEvent } from './define-integration-event.ts';
import { defineMessageStream } from './message-stream.ts';

const OrderPlaced = defineEvent('OrderPlaced', z.object({ total: z.number() }));
const placed = defineIntegrationEvent({
  service: 'orders',
  name: 'OrderPlaced',
  schema: z.object({ total: z.number() }),
  from: OrderPlaced,
});

describe('integration event contracts', () => {
  it('names the subject <service>.<name>, defaults to version 1, and maps the domain data as is', () => {
    expect(placed).toMatchObject({
      subject: 'orders.OrderPlaced',
      version: 1,
      from: ['OrderPlaced'],
    });
    expect(placed.map({ data: { total: 3 } } as never)).toEqual({ total: 3 });
    expect(placed.jsonSchema()).toMatchObject({ type: 'object' });
  });

  it.each([
    ['service', { service: 'or.ders' }],
    ['service', { service: '' }],
    ['name', { name: 'Order>' }],
    ['version', { version: 0 }],
    ['schema', { schema: {} }],
    ['from', { from: [] }],
    ['from', { from: [42] }],
    ['map', { map: 'x' }],
  ])('given a bad %s, then ValidationError names it', (option, bad) => {
    const define = () =>
      defineIntegrationEvent({
        service: 'orders',
        name: 'OrderPlaced',
        schema: z.object({}),
        from: 'OrderPlaced',
        ...(bad as object),
      } as never);
    expect(define).toThrow(ValidationError);
    expect(define).toThrow(option);
  });

  it('finds a contract by domain type and by subject, and lists the subjects and domain types', () => {
    const contracts = defineContracts('orders', [placed]);
    expect(contracts.forDomainType('OrderPlaced')).toBe(placed);
    expect(contracts.forSubject('orders.OrderPlaced')).toBe(placed);
    expect(contracts.forDomainType('Nope')).toBeUndefined();
    expect(contracts.subjects).toBe('orders.>');
    expect(contracts.domainTypes).toEqual(['OrderPlaced']);
  });

  it('refuses a domain type mapped twice, a subject declared twice, another service’s contract and an empty list', () => {
    const again = defineIntegrationEvent({
      service: 'orders',
      name: 'OrderPlaced2',
      schema: z.object({ total: z.number() }),
      from: OrderPlaced,
    });
    expect(() => defineContracts('orders', [placed, again])).toThrow(/maps to both/);
    expect(() => defineContracts('orders', [placed, placed])).toThrow(/declared twice/);
    expect(() => defineContracts('billing', [placed])).toThrow(/belongs to service orders/);
    expect(() => defineContracts('orders', [])).toThrow(ValidationError);
  });
});

describe('message streams as code', () => {
  it('defaults: DUET_<SERVICE>, subjects <service>.>, limits retention, one replica, 2-minute duplicate window, 7 days', () => {
    expect(defineMessageStream({ service: 'order-history' })).toEqual({
      kind: 'message-stream',
      name: 'DUET_ORDER_HISTORY',
      service: 'order-history',
      subjects: ['order-history.>'],
      retention: 'limits',
      replicas: 1,
      duplicateWindowMs: 120_000,
      maxAgeMs: 604_800_000,
    });
  });

  it.each([
    ['service', { service: 'a.b' }],
    ['name', { name: 'has space' }],
    ['retention', { retention: 'workqueue' }],
    ['replicas', { replicas: 2 }],
    ['duplicateWindowMs', { duplicateWindowMs: 5 }],
    ['maxAgeMs', { maxAgeMs: 1_000 }],
  ])('given a bad %s, then ValidationError names it', (option, bad) => {
    const define = () => defineMessageStream({ service: 'orders', ...(bad as object) } as never);
    expect(define).toThrow(ValidationError);
    expect(define).toThrow(option);
  });
});
