import {
  type CommittedEventPages,
  type EventStore,
  type Message,
  type RecordedEvent,
  runInTenant,
} from '@duet/core';
import { runEventStoreConformance } from '@duet/core/testing';
import { inject } from 'vitest';
import { isolateTenants } from '../executor/tenant-isolated-executor.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store.ts';

// The core EventStore contract, on the file's shared PGlite and on PostgreSQL, and on
// PostgreSQL as one tenant of a tenant-isolated executor.
function storeOn(kind: 'pglite' | 'postgres', url?: string, tenant?: string) {
  return async () => {
    const db = await openTestDatabase(url === undefined ? { kind } : { kind, url });
    const store = createPostgresEventStore({
      executor: tenant === undefined ? db.executor : isolateTenants(db.executor),
      schema: db.schema,
      pollIntervalMs: 100,
    });
    return {
      store: tenant === undefined ? store : asTenant(store, tenant),
      dispose: async () => {
        await store.close();
        await db.dispose();
      },
    };
  };
}

/**
 * The store as one tenant sees it: every call, and every page an iterable fetches, runs
 * in `runInTenant(tenant)` (a tenant-isolated executor refuses statements outside a scope).
 */
function asTenant(store: PostgresEventStore, tenant: string): EventStore & CommittedEventPages {
  const inTenant = <T>(fn: () => T): T => runInTenant(tenant, fn);
  const scoped = <T>(source: AsyncIterable<T>): AsyncIterable<T> => ({
    [Symbol.asyncIterator]() {
      const iterator = inTenant(() => source[Symbol.asyncIterator]());
      return {
        next: () => inTenant(() => iterator.next()),
        return: (value?: unknown) =>
          inTenant(async () =>
            iterator.return ? iterator.return(value) : { done: true as const, value: undefined },
          ),
      };
    },
  });
  return {
    append: (stream, events, options) => inTenant(() => store.append(stream, events, options)),
    readStream: <E extends Message = Message>(
      stream: string,
      options?: Parameters<EventStore['readStream']>[1],
    ) => scoped<RecordedEvent<E>>(store.readStream<E>(stream, options)),
    readAll: <E extends Message = Message>(options?: Parameters<EventStore['readAll']>[0]) =>
      scoped<RecordedEvent<E>>(store.readAll<E>(options)),
    subscribe: <E extends Message = Message>(options?: Parameters<EventStore['subscribe']>[0]) =>
      scoped<RecordedEvent<E>>(store.subscribe<E>(options)),
    streamInfo: (stream) => inTenant(() => store.streamInfo(stream)),
    headPosition: () => inTenant(() => store.headPosition()),
    readCommittedPage: (after, options) => inTenant(() => store.readCommittedPage(after, options)),
    commits: store.commits,
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
  // As tenant 'acme': reads report the row's tenant as metadata.tenant (event-row.ts), and
  // the suite's metadata round-trip writes tenant 'acme'.
  runEventStoreConformance({
    name: 'postgres store on PostgreSQL, as one tenant of isolateTenants',
    create: storeOn('postgres', databaseUrl, 'acme'),
    modelRuns,
  });
}
