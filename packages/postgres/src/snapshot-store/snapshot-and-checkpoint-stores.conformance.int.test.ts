import { runCheckpointStoreConformance, runSnapshotStoreConformance } from '@duet/core/testing';
import { inject } from 'vitest';
import { createPostgresCheckpointStore } from '../checkpoint-store/postgres-checkpoint-store.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresSnapshotStore } from './postgres-snapshot-store.ts';

// The core SnapshotStore and CheckpointStore contracts, on PGlite and on PostgreSQL: the
// same tests the in-memory stores pass.
const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the PostgreSQL runs: no PostgreSQL reachable');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

for (const backend of backends) {
  runSnapshotStoreConformance({
    name: `postgres snapshot store on ${backend.kind}`,
    create: async () => {
      const db = await openTestDatabase(backend);
      const store = createPostgresSnapshotStore({ executor: db.executor, schema: db.schema });
      return { store, dispose: () => db.dispose() };
    },
  });
  runCheckpointStoreConformance({
    name: `postgres checkpoint store on ${backend.kind}`,
    create: async () => {
      const db = await openTestDatabase(backend);
      const store = createPostgresCheckpointStore({ executor: db.executor, schema: db.schema });
      return { store, dispose: () => db.dispose() };
    },
  });
}
