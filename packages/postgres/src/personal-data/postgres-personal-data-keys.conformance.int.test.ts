import { runPersonalDataKeysConformance } from '@duet/core/testing';
import { inject } from 'vitest';
import { migrate } from '../migrations/migrate.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresPersonalDataKeys } from './postgres-personal-data-keys.ts';

// The core PersonalDataKeys contract on the key table, on the file's shared PGlite and on PostgreSQL.
function keysOn(kind: 'pglite' | 'postgres', url?: string) {
  return async () => {
    const db = await openTestDatabase(url === undefined ? { kind } : { kind, url });
    const schema = `${db.schema}_keys`;
    await migrate(db.executor, { schema, set: 'personal-data' });
    return {
      keys: createPostgresPersonalDataKeys({ executor: db.executor, schema }),
      dispose: async () => {
        await db.executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await db.dispose();
      },
    };
  };
}

runPersonalDataKeysConformance({
  name: 'PostgreSQL key table on PGlite',
  create: keysOn('pglite'),
});

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) {
  console.warn('skipping the PostgreSQL key table conformance run: no PostgreSQL reachable');
} else {
  runPersonalDataKeysConformance({
    name: 'PostgreSQL key table on PostgreSQL',
    create: keysOn('postgres', databaseUrl),
  });
}
