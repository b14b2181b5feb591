import { ValidationError } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresSnapshotStore } from './postgres-snapshot-store.ts';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the PostgreSQL snapshot tests: not reachable');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

describe.each(backends)('snapshot store on $kind', (backend) => {
  it('given snapshots saved out of order, when loading, then the newest per decider version wins', async () => {
    await using db = await openTestDatabase(backend);
    const snapshots = createPostgresSnapshotStore({ executor: db.executor, schema: db.schema });
    expect(await snapshots.load('order-1', 1)).toBeNull();
    await snapshots.save({
      stream: 'order-1',
      streamVersion: 20,
      deciderVersion: 1,
      state: { n: 20 },
    });
    await snapshots.save({
      stream: 'order-1',
      streamVersion: 10,
      deciderVersion: 1,
      state: { n: 10 },
    });
    await snapshots.save({ stream: 'order-1', streamVersion: 5, deciderVersion: 2, state: ['v2'] });
    expect(await snapshots.load('order-1', 1)).toEqual({
      stream: 'order-1',
      streamVersion: 20,
      deciderVersion: 1,
      state: { n: 20 },
    });
    expect((await snapshots.load('order-1', 2))?.state).toEqual(['v2']);
    await snapshots.save({
      stream: 'order-1',
      streamVersion: 30,
      deciderVersion: 1,
      state: 'text',
    });
    expect((await snapshots.load('order-1', 1))?.state).toBe('text');
  });

  it('given bad snapshots, when saving, then ValidationError and nothing changes', async () => {
    await using db = await openTestDatabase(backend);
    const snapshots = createPostgresSnapshotStore({ executor: db.executor, schema: db.schema });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [
      { stream: '', streamVersion: 1, deciderVersion: 1, state: {} },
      { stream: 's-1', streamVersion: -1, deciderVersion: 1, state: {} },
      { stream: 's-1', streamVersion: 1, deciderVersion: 0.5, state: {} },
      { stream: 's-1', streamVersion: 1, deciderVersion: 1, state: cyclic },
      { stream: 's-1', streamVersion: 1, deciderVersion: 1, state: undefined },
    ]) {
      await expect(snapshots.save(bad)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await snapshots.load('s-1', 1)).toBeNull();
    expect(() => createPostgresSnapshotStore({ executor: db.executor, schema: 'NO' })).toThrow(
      ValidationError,
    );
  });
});
