import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import type { CheckpointStore } from '../event-store/checkpoint-store.ts';
import { makePosition, type Position } from '../event-store/position.ts';
import { type CreatedStore, suiteStore } from './conformance/suite-store.ts';

/** How to run the CheckpointStore conformance suite against one adapter. */
export interface CheckpointStoreConformanceOptions {
  /** Shown in the test names: `CheckpointStore conformance: <name>`. */
  readonly name: string;
  /** Makes the store, once for the suite; tests use names of their own, so it may be shared. */
  readonly create: () => Promise<CreatedStore<CheckpointStore>>;
}

/**
 * Runs the CheckpointStore contract as vitest tests: null before a save, never backwards
 * (positions compared as positions, not as text of different widths), names kept apart,
 * and bad input refused with `ValidationError`, storing nothing.
 *
 * @example
 * runCheckpointStoreConformance({ name: 'in-memory',
 *   create: async () => ({ store: createInMemoryCheckpointStore() }) });
 */
export function runCheckpointStoreConformance(options: CheckpointStoreConformanceOptions): void {
  describe(`CheckpointStore conformance: ${options.name}`, () => {
    const store = suiteStore(options.create);
    const name = () => `checkpoint_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

    it('given no checkpoint, when loading, then null', async () => {
      expect(await store().load(name())).toBeNull();
    });

    it('given saved positions, when an older one is saved, then the checkpoint never moves back', async () => {
      const n = name();
      await store().save(n, makePosition(0x9n, 500n));
      // 0x10 > 0x9: compared as positions, whatever their text looks like.
      await store().save(n, makePosition(0x10n, 1n));
      await store().save(n, makePosition(0x9n, 900n));
      expect(await store().load(n)).toBe(makePosition(0x10n, 1n));
      await store().save(n, makePosition(0x10n, 2n));
      expect(await store().load(n)).toBe(makePosition(0x10n, 2n));
    });

    it('given two names, when saving, then each keeps its own checkpoint', async () => {
      const [a, b] = [name(), name()];
      await store().save(a, makePosition(1n, 1n));
      await store().save(b, makePosition(0n, 2n));
      expect(await store().load(a)).toBe(makePosition(1n, 1n));
      expect(await store().load(b)).toBe(makePosition(0n, 2n));
    });

    it('given a malformed position or name, when saving, then ValidationError and nothing is stored', async () => {
      const n = name();
      await expect(store().save(n, 'not-a-position' as Position)).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store().save('', makePosition(1n, 1n))).rejects.toBeInstanceOf(ValidationError);
      expect(await store().load(n)).toBeNull();
    });
  });
}
