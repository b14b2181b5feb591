import { runInboxConformance } from '@duet/core/testing';
import { inject } from 'vitest';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresInbox } from './postgres-inbox.ts';

// The core Inbox contract, on the file's shared PGlite and on PostgreSQL.
function inboxOn(kind: 'pglite' | 'postgres', url?: string) {
  return async () => {
    const db = await openTestDatabase(url === undefined ? { kind } : { kind, url });
    return {
      inbox: createPostgresInbox({ executor: db.executor, schema: db.schema }),
      dispose: () => db.dispose(),
    };
  };
}

runInboxConformance({ name: 'PostgreSQL inbox on PGlite', create: inboxOn('pglite') });

const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) {
  console.warn('skipping the PostgreSQL inbox conformance run: no PostgreSQL reachable');
} else {
  runInboxConformance({
    name: 'PostgreSQL inbox on PostgreSQL',
    create: inboxOn('postgres', databaseUrl),
  });
}
