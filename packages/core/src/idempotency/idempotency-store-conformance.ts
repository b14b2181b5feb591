import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import type { IdempotencyStore, IdempotencyStoreOptions } from './idempotency-store.ts';

/** How to run the IdempotencyStore conformance suite against one adapter. */
export interface IdempotencyStoreConformanceOptions {
  /** Shown in the test names: `IdempotencyStore conformance: <name>`. */
  readonly name: string;
  /** Makes a store with these options; each test makes its own and uses fresh scopes. */
  readonly create: (options: IdempotencyStoreOptions) => Promise<IdempotencyStore>;
  /** Runs once after the suite (close what `create` opened). */
  readonly dispose?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the IdempotencyStore contract as vitest tests: claim, replay, mismatch, in-flight
 * duplicates, release, stale tokens, lock take-over and expiry. Times are real but short
 * (tens of ms), so every adapter, whatever clock it uses, runs the same tests.
 *
 * @example
 * runIdempotencyStoreConformance({ name: 'in-memory',
 *   create: async (options) => createInMemoryIdempotencyStore(options) });
 */
export function runIdempotencyStoreConformance(options: IdempotencyStoreConformanceOptions): void {
  describe(`IdempotencyStore conformance: ${options.name}`, () => {
    if (options.dispose) afterAll(options.dispose);
    const scope = () => `scope-${randomUUID()}`;

    it('given a new key, when claimed, then the caller holds it and a repeat is in progress', async () => {
      const store = await options.create({});
      const s = scope();
      const claim = await store.claim(s, 'k1', 'h1');
      expect(claim.status).toBe('claimed');
      await expect(store.claim(s, 'k1', 'h1')).resolves.toEqual({ status: 'in-progress' });
    });

    it('given a completed key, when claimed with the same hash, then the stored result comes back', async () => {
      const store = await options.create({});
      const s = scope();
      const claim = await store.claim(s, 'k1', 'h1');
      if (claim.status !== 'claimed') throw new Error('expected a claim');
      const result = { status: 200, body: { stream: 'cart-1', n: [1, 'two', null] } };
      await store.complete(s, 'k1', claim.token, result);
      await expect(store.claim(s, 'k1', 'h1')).resolves.toEqual({ status: 'completed', result });
    });

    it('given a used key, when claimed with another hash, then mismatch (pending or completed)', async () => {
      const store = await options.create({});
      const s = scope();
      const claim = await store.claim(s, 'k1', 'h1');
      if (claim.status !== 'claimed') throw new Error('expected a claim');
      await expect(store.claim(s, 'k1', 'h2')).resolves.toEqual({ status: 'mismatch' });
      await store.complete(s, 'k1', claim.token, { ok: true });
      await expect(store.claim(s, 'k1', 'h2')).resolves.toEqual({ status: 'mismatch' });
    });

    it('given one key in two scopes, when claimed, then each scope has its own', async () => {
      const store = await options.create({});
      expect((await store.claim(scope(), 'k1', 'h1')).status).toBe('claimed');
      expect((await store.claim(scope(), 'k1', 'h2')).status).toBe('claimed');
    });

    it('given 20 claims of one key at once, when they settle, then exactly one holds it', async () => {
      const store = await options.create({});
      const s = scope();
      const claims = await Promise.all(
        Array.from({ length: 20 }, () => store.claim(s, 'k1', 'h1')),
      );
      expect(claims.filter((claim) => claim.status === 'claimed')).toHaveLength(1);
      expect(claims.filter((claim) => claim.status === 'in-progress')).toHaveLength(19);
    });

    it('given a released key, when claimed again, then it can be claimed, even with another hash', async () => {
      const store = await options.create({});
      const s = scope();
      const claim = await store.claim(s, 'k1', 'h1');
      if (claim.status !== 'claimed') throw new Error('expected a claim');
      await store.release(s, 'k1', claim.token);
      expect((await store.claim(s, 'k1', 'h2')).status).toBe('claimed');
    });

    it('given a stale token, when completing or releasing, then nothing changes', async () => {
      const store = await options.create({});
      const s = scope();
      const claim = await store.claim(s, 'k1', 'h1');
      await store.complete(s, 'k1', 'not-the-token', { wrong: true });
      await store.release(s, 'k1', 'not-the-token');
      await expect(store.claim(s, 'k1', 'h1')).resolves.toEqual({ status: 'in-progress' });
      expect(claim.status).toBe('claimed');
    });

    it('given a claim whose lock expired, when claimed again, then the new caller takes it over', async () => {
      const store = await options.create({});
      const s = scope();
      const first = await store.claim(s, 'k1', 'h1', { lockMs: 30 });
      if (first.status !== 'claimed') throw new Error('expected a claim');
      await sleep(80);
      const second = await store.claim(s, 'k1', 'h1');
      expect(second.status).toBe('claimed');
      // The first holder's late completion must not overwrite the new holder's.
      await store.complete(s, 'k1', first.token, { from: 'first' });
      await expect(store.claim(s, 'k1', 'h1')).resolves.toEqual({ status: 'in-progress' });
    });

    it('given a completed result past its ttl, when claimed, then the key is new again', async () => {
      const store = await options.create({ ttlMs: 30 });
      const s = scope();
      const claim = await store.claim(s, 'k1', 'h1');
      if (claim.status !== 'claimed') throw new Error('expected a claim');
      await store.complete(s, 'k1', claim.token, { ok: true });
      await sleep(80);
      expect((await store.claim(s, 'k1', 'h2')).status).toBe('claimed');
    });

    it.each([
      ['an empty key', 'scope', ''],
      ['a key over 255 characters', 'scope', 'k'.repeat(256)],
    ])('given %s, when claimed, then ValidationError', async (_name, s, key) => {
      const store = await options.create({});
      await expect(store.claim(s, key, 'h1')).rejects.toThrow(ValidationError);
    });
  });
}
