import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors/validation-error.ts';
import { defineEvent } from '../messages/define-event.ts';
import { defineProjection } from './define-projection.ts';
import type { ProjectionOptions } from './projection-definition.ts';

const OrderPlaced = defineEvent('OrderPlaced', z.object({ total: z.number() }));
const base: ProjectionOptions = {
  name: 'order_history',
  events: [OrderPlaced, 'OrderCancelled', 'OrderPlaced'],
  setup: async () => {},
  apply: async () => {},
};

describe('defineProjection', () => {
  it('given definitions and type names, then the types are listed once and the definitions kept for upcasting', () => {
    const projection = defineProjection(base);
    expect(projection).toMatchObject({
      kind: 'projection',
      name: 'order_history',
      version: 1,
      partitions: 1,
      onFailure: 'stop',
      eventTypes: ['OrderPlaced', 'OrderCancelled'],
    });
    expect(projection.eventDefinitions).toEqual([OrderPlaced]);
  });

  it('given a version, partitions and a policy, then they are kept', () => {
    expect(
      defineProjection({ ...base, version: 3, partitions: 8, onFailure: 'park' }),
    ).toMatchObject({
      version: 3,
      partitions: 8,
      onFailure: 'park',
    });
  });

  it.each([
    ['name', { name: 'Order-History' }],
    ['name', { name: 'order__history' }],
    ['name', { name: 'order_' }],
    ['name', { name: 'x'.repeat(41) }],
    ['version', { version: 0 }],
    ['partitions', { partitions: 0 }],
    ['partitions', { partitions: 1.5 }],
    ['onFailure', { onFailure: 'retry' }],
    ['events', { events: [] }],
    ['events', { events: [42] }],
    ['setup', { setup: 'CREATE TABLE' }],
    ['apply', { apply: undefined }],
  ])('given a bad %s, then ValidationError names it', (option, bad) => {
    const define = () => defineProjection({ ...base, ...bad } as unknown as ProjectionOptions);
    expect(define).toThrow(ValidationError);
    expect(define).toThrow(`option ${option}`);
  });
});
