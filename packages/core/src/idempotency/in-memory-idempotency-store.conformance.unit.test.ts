import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import { runIdempotencyStoreConformance } from './idempotency-store-conformance.ts';
import { createInMemoryIdempotencyStore } from './in-memory-idempotency-store.ts';

runIdempotencyStoreConformance({
  name: 'in-memory',
  create: async (options) => createInMemoryIdempotencyStore(options),
});

describe('createInMemoryIdempotencyStore', () => {
  it('given a clock, when the lock time passes on it, then a pending key can be taken over', async () => {
    let now = 1_000;
    const store = createInMemoryIdempotencyStore({ lockMs: 100, now: () => now });
    expect((await store.claim('s', 'k', 'h')).status).toBe('claimed');
    now += 99;
    expect((await store.claim('s', 'k', 'h')).status).toBe('in-progress');
    now += 1;
    expect((await store.claim('s', 'k', 'h')).status).toBe('claimed');
  });

  it.each([
    ['ttlMs', { ttlMs: 0 }],
    ['lockMs', { lockMs: 1.5 }],
  ])('given a bad option %s, when created, then ValidationError names it', (name, bad) => {
    const create = () => createInMemoryIdempotencyStore(bad);
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(`option ${name}`);
  });
});
