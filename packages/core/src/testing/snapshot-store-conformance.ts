import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import type { SnapshotStore } from '../event-store/snapshot-store.ts';
import { type CreatedStore, suiteStore } from './conformance/suite-store.ts';

/** How to run the SnapshotStore conformance suite against one adapter. */
export interface SnapshotStoreConformanceOptions {
  /** Shown in the test names: `SnapshotStore conformance: <name>`. */
  readonly name: string;
  /** Makes the store, once for the suite; tests use streams of their own, so it may be shared. */
  readonly create: () => Promise<CreatedStore<SnapshotStore>>;
}

/**
 * Runs the SnapshotStore contract as vitest tests: round trips (a copy, never the caller's
 * object), decider versions kept apart, the newest snapshot wins whatever the order of
 * saves, streams kept apart, and bad snapshots refused with `ValidationError`, changing
 * nothing.
 *
 * @example
 * runSnapshotStoreConformance({ name: 'in-memory',
 *   create: async () => ({ store: createInMemorySnapshotStore() }) });
 */
export function runSnapshotStoreConformance(options: SnapshotStoreConformanceOptions): void {
  describe(`SnapshotStore conformance: ${options.name}`, () => {
    const store = suiteStore(options.create);
    const stream = () => `snap${randomUUID().replaceAll('-', '').slice(0, 16)}-1`;

    it('given no snapshot, when loading, then null', async () => {
      expect(await store().load(stream(), 1)).toBeNull();
    });

    it('given a saved snapshot, when loading the same decider version, then it comes back as a copy', async () => {
      const s = stream();
      const state = { items: ['a'], nested: { n: 1, none: null } };
      await store().save({ stream: s, streamVersion: 5, deciderVersion: 1, state });
      state.items.push('mutated after save');
      expect(await store().load(s, 1)).toEqual({
        stream: s,
        streamVersion: 5,
        deciderVersion: 1,
        state: { items: ['a'], nested: { n: 1, none: null } },
      });
    });

    it('given snapshots of two decider versions, when loading each, then each gets its own and a third gets null', async () => {
      const s = stream();
      await store().save({ stream: s, streamVersion: 5, deciderVersion: 1, state: 'v1' });
      await store().save({ stream: s, streamVersion: 3, deciderVersion: 2, state: ['v2'] });
      expect((await store().load(s, 1))?.state).toBe('v1');
      expect((await store().load(s, 2))?.state).toEqual(['v2']);
      expect(await store().load(s, 3)).toBeNull();
    });

    it('given snapshots saved out of order, when loading, then the newest stream version wins', async () => {
      const s = stream();
      await store().save({ stream: s, streamVersion: 20, deciderVersion: 1, state: { n: 20 } });
      await store().save({ stream: s, streamVersion: 10, deciderVersion: 1, state: { n: 10 } });
      expect(await store().load(s, 1)).toMatchObject({ streamVersion: 20, state: { n: 20 } });
      await store().save({ stream: s, streamVersion: 30, deciderVersion: 1, state: 'text' });
      expect(await store().load(s, 1)).toMatchObject({ streamVersion: 30, state: 'text' });
    });

    it('given two streams, when saving, then each keeps its own snapshot', async () => {
      const [a, b] = [stream(), stream()];
      await store().save({ stream: a, streamVersion: 2, deciderVersion: 1, state: 'a' });
      await store().save({ stream: b, streamVersion: 9, deciderVersion: 1, state: 'b' });
      expect(await store().load(a, 1)).toMatchObject({ streamVersion: 2, state: 'a' });
      expect(await store().load(b, 1)).toMatchObject({ streamVersion: 9, state: 'b' });
    });

    it('given bad snapshots, when saving, then ValidationError and nothing changes', async () => {
      const s = stream();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const bad of [
        { stream: '', streamVersion: 1, deciderVersion: 1, state: {} },
        { stream: s, streamVersion: -1, deciderVersion: 1, state: {} },
        { stream: s, streamVersion: 1.5, deciderVersion: 1, state: {} },
        { stream: s, streamVersion: 1, deciderVersion: 0.5, state: {} },
        { stream: s, streamVersion: 1, deciderVersion: 1, state: cyclic },
        { stream: s, streamVersion: 1, deciderVersion: 1, state: { n: 1n } },
        { stream: s, streamVersion: 1, deciderVersion: 1, state: undefined },
      ]) {
        await expect(store().save(bad)).rejects.toBeInstanceOf(ValidationError);
      }
      expect(await store().load(s, 1)).toBeNull();
    });
  });
}
