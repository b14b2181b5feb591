import { type Position, ValidationError } from '@duet/core';
import { makePosition } from '@duet/core/adapters';
import { describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresCheckpointStore } from './postgres-checkpoint-store.ts';

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the PostgreSQL checkpoint tests: not reachable');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

describe.each(backends)('checkpoint store on $kind', (backend) => {
  it('given a checkpoint, when saving an older position, then it never moves backwards', async () => {
    await using db = await openTestDatabase(backend);
    const checkpoints = createPostgresCheckpointStore({ executor: db.executor, schema: db.schema });
    expect(await checkpoints.load('history')).toBeNull();
    // 0x10 > 0x9: compared as numbers through the token's fixed-width hex.
    await checkpoints.save('history', makePosition(0x10n, 1n));
    await checkpoints.save('history', makePosition(0x9n, 500n));
    expect(await checkpoints.load('history')).toBe(makePosition(0x10n, 1n));
    await checkpoints.save('history', makePosition(0x10n, 2n));
    expect(await checkpoints.load('history')).toBe(makePosition(0x10n, 2n));
  });

  it('given a caller transaction, when it rolls back, then the checkpoint does not move', async () => {
    await using db = await openTestDatabase(backend);
    const checkpoints = createPostgresCheckpointStore({ executor: db.executor, schema: db.schema });
    await expect(
      db.executor.transaction(async (tx) => {
        await checkpoints.in(tx).save('projection', makePosition(5n, 5n));
        throw new Error('read model write failed');
      }),
    ).rejects.toThrow('read model write failed');
    expect(await checkpoints.load('projection')).toBeNull();
    await db.executor.transaction((tx) =>
      checkpoints.in(tx).save('projection', makePosition(5n, 5n)),
    );
    expect(await checkpoints.load('projection')).toBe(makePosition(5n, 5n));
  });

  it('given bad input, when saving, then ValidationError and nothing is stored', async () => {
    await using db = await openTestDatabase(backend);
    const checkpoints = createPostgresCheckpointStore({ executor: db.executor, schema: db.schema });
    await expect(checkpoints.save('x', 'not-a-position' as Position)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(checkpoints.save('', makePosition(1n, 1n))).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await checkpoints.load('x')).toBeNull();
  });
});
