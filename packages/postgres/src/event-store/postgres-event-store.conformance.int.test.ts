import { runEventStoreConformance } from '@duet/core/testing';
import { inject } from 'vitest';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

// The core EventStore contract, on the file's shared PGlite and on PostgreSQL.
function storeOn(kind: 'pglite' | 'postgres', url?: string) {
  return async () => {
    const db = await openTestDatabase(url === undefined ? { kind } : { kind, url });
    const store = createPostgresEventStore({
      executor: db.executor,
      schema: db.schema,
      pollIntervalMs: 100,
    });
    return {
      store,
      dispose: async () => {
        await store.close();
        await db.dispose();
      },
    };
  };
}

// Each model run is a few dozen round trips: fewer runs than in memory.
const modelRuns = { sequential: 40, concurrent: 25 };

runEventStoreConformance({
  name: 'postgres store on PGlite',
  create: storeOn('pglite'),
  modelRuns,
});

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) {
  console.warn('skipping the PostgreSQL conformance run: no PostgreSQL reachable');
} else {
  runEventStoreConformance({
    name: 'postgres store on PostgreSQL',
    create: storeOn('postgres', databaseUrl),
    modelRuns,
  });
}
