import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import { createInMemorySnapshotStore } from './in-memory-snapshot-store.ts';

describe('createInMemorySnapshotStore', () => {
  it('given no snapshot, when loading, then null', async () => {
    expect(await createInMemorySnapshotStore().load('order-1', 1)).toBeNull();
  });

  it('given a saved snapshot, when loading the same decider version, then it comes back as a copy', async () => {
    const snapshots = createInMemorySnapshotStore();
    const state = { items: ['a'] };
    await snapshots.save({ stream: 'order-1', streamVersion: 5, deciderVersion: 1, state });
    state.items.push('mutated after save');
    const loaded = await snapshots.load<{ items: string[] }>('order-1', 1);
    expect(loaded).toEqual({
      stream: 'order-1',
      streamVersion: 5,
      deciderVersion: 1,
      state: { items: ['a'] },
    });
  });

  it('given a snapshot of decider version 1, when loading version 2, then null', async () => {
    const snapshots = createInMemorySnapshotStore();
    await snapshots.save({ stream: 'order-1', streamVersion: 5, deciderVersion: 1, state: {} });
    expect(await snapshots.load('order-1', 2)).toBeNull();
  });

  it('given a newer snapshot, when an older one is saved, then the newer one stays', async () => {
    const snapshots = createInMemorySnapshotStore();
    await snapshots.save({ stream: 'order-1', streamVersion: 9, deciderVersion: 1, state: 'new' });
    await snapshots.save({ stream: 'order-1', streamVersion: 4, deciderVersion: 1, state: 'old' });
    expect((await snapshots.load('order-1', 1))?.state).toBe('new');
    await snapshots.save({
      stream: 'order-1',
      streamVersion: 12,
      deciderVersion: 1,
      state: 'newer',
    });
    expect((await snapshots.load('order-1', 1))?.streamVersion).toBe(12);
  });

  it('given a bad snapshot, when saving, then ValidationError', async () => {
    const snapshots = createInMemorySnapshotStore();
    await expect(
      snapshots.save({ stream: '', streamVersion: -1, deciderVersion: 1, state: {} }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      snapshots.save({ stream: 's-1', streamVersion: 1, deciderVersion: 1, state: { n: 1n } }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
