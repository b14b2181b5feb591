import { runIdempotencyStoreConformance } from '@duet/core/testing';
import { inject } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/index.ts';
import { createPostgresIdempotencyStore } from './postgres-idempotency-store.ts';

// The core IdempotencyStore contract on the file's shared PGlite and on PostgreSQL. One
// migrated schema per run (migration 006 makes its table); tests use scopes of their own.
function run(name: string, open: () => Promise<TestDatabase>): void {
  let db: Promise<TestDatabase> | undefined;
  runIdempotencyStoreConformance({
    name,
    async create(options) {
      db ??= open();
      const { executor, schema } = await db;
      return createPostgresIdempotencyStore({ executor, schema, ...options });
    },
    dispose: async () => {
      await (await db)?.dispose();
    },
  });
}

run('postgres store on PGlite', () => openTestDatabase({ kind: 'pglite' }));

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) {
  console.warn('skipping the PostgreSQL idempotency conformance run: no PostgreSQL reachable');
} else {
  run('postgres store on PostgreSQL', () =>
    openTestDatabase({ kind: 'postgres', url: databaseUrl }),
  );
}
