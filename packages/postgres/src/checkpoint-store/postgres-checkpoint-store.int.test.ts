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

// The contract itself is the shared conformance suite (snapshot-and-checkpoint-stores.conformance);
// here, what only this store has: saving inside the caller's transaction.
describe.each(backends)('checkpoint store on $kind', (backend) => {
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
});
