import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonalDataForgottenError } from '../errors/personal-data-forgotten-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { PersonalDataKeys } from '../personal-data/personal-data-keys.ts';

/** How to run the personal data keys conformance suite against one adapter. */
export interface PersonalDataKeysConformanceOptions {
  /** Shown in the test names: `PersonalDataKeys conformance: <name>`. */
  readonly name: string;
  /** Makes the key store under test, once for the suite; `dispose` runs at the end. */
  readonly create: () => Promise<{ keys: PersonalDataKeys; dispose?: () => Promise<void> }>;
}

/**
 * Runs the `PersonalDataKeys` contract as vitest tests: one 32-byte key per subject, made
 * once even by racing first uses; `findKeys` returns only live keys; `forget` deletes the
 * key, keeps a tombstone, is idempotent, and a forgotten subject never gets a key again;
 * other subjects are untouched; bad subjects are a `ValidationError`.
 *
 * @example
 * runPersonalDataKeysConformance({ name: 'in-memory', create: async () => ({ keys: createInMemoryPersonalDataKeys() }) });
 */
export function runPersonalDataKeysConformance(options: PersonalDataKeysConformanceOptions): void {
  describe(`PersonalDataKeys conformance: ${options.name}`, () => {
    let current: { keys: PersonalDataKeys; dispose?: () => Promise<void> } | undefined;
    const keys = () => {
      if (!current) throw new Error('the key store is not created yet (create() failed?)');
      return current.keys;
    };
    beforeAll(async () => {
      current = await options.create();
    });
    afterAll(async () => {
      await current?.dispose?.();
    });
    const subject = () => `subject-${randomBytes(6).toString('hex')}`;

    it('given a new subject, when its key is asked for twice, then both are the same 32 bytes', async () => {
      const who = subject();
      const first = await keys().keyFor(who);
      expect(first.byteLength).toBe(32);
      expect(Buffer.from(await keys().keyFor(who)).equals(Buffer.from(first))).toBe(true);
    });

    it('given racing first uses, then they agree on one key', async () => {
      const who = subject();
      const all = await Promise.all(Array.from({ length: 8 }, () => keys().keyFor(who)));
      const distinct = new Set(all.map((key) => Buffer.from(key).toString('hex')));
      expect(distinct.size).toBe(1);
    });

    it('given two subjects, then they get different keys and findKeys returns only known ones', async () => {
      const [a, b, unknown] = [subject(), subject(), subject()];
      const keyA = await keys().keyFor(a);
      const keyB = await keys().keyFor(b);
      expect(Buffer.from(keyA).equals(Buffer.from(keyB))).toBe(false);
      const found = await keys().findKeys([a, b, unknown]);
      expect([...found.keys()].sort()).toEqual([a, b].sort());
      expect(Buffer.from(found.get(a)!).equals(Buffer.from(keyA))).toBe(true);
    });

    it('when a subject is forgotten, then its key is gone for good and the others stay', async () => {
      const [gone, stays] = [subject(), subject()];
      await keys().keyFor(gone);
      const kept = await keys().keyFor(stays);
      expect(await keys().forgottenAt(gone)).toBeNull();
      const result = await keys().forget(gone);
      expect(result).toMatchObject({ subject: gone, deleted: true });
      expect(Number.isNaN(Date.parse(result.forgottenAt))).toBe(false);
      const found = await keys().findKeys([gone, stays]);
      expect(found.has(gone)).toBe(false);
      expect(Buffer.from(found.get(stays)!).equals(Buffer.from(kept))).toBe(true);
      await expect(keys().keyFor(gone)).rejects.toBeInstanceOf(PersonalDataForgottenError);
      expect(await keys().forgottenAt(gone)).not.toBeNull();
    });

    it('when a subject is forgotten twice, then the second reports nothing deleted and the first time', async () => {
      const who = subject();
      await keys().keyFor(who);
      const first = await keys().forget(who);
      const second = await keys().forget(who);
      expect(second.deleted).toBe(false);
      expect(Date.parse(second.forgottenAt)).toBe(Date.parse(first.forgottenAt));
    });

    it('when a subject that never had a key is forgotten, then it cannot get one afterwards', async () => {
      const who = subject();
      expect((await keys().forget(who)).deleted).toBe(false);
      await expect(keys().keyFor(who)).rejects.toBeInstanceOf(PersonalDataForgottenError);
    });

    it('given a bad subject, then keyFor and forget throw ValidationError', async () => {
      for (const bad of ['', 'x'.repeat(201), 42 as unknown as string]) {
        await expect(keys().keyFor(bad)).rejects.toBeInstanceOf(ValidationError);
        await expect(keys().forget(bad)).rejects.toBeInstanceOf(ValidationError);
      }
    });
  });
}
