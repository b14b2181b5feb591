// Test support: a console on PGlite over one store, keys for each kind of visitor, and a
// counter decider for time travel.
import { apiKeyAuthentication } from '@duet/http';
import { createPostgresEventStore, type PostgresEventStore } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DuetConsoleOptions } from '../src/console-options.ts';
import { duetConsole } from '../src/duet-console.ts';

export const keys = {
  staff: 'k-staff',
  viewer: 'k-viewer',
  customer: 'k-customer',
} as const;

export interface ConsoleFixture {
  readonly app: FastifyInstance;
  readonly store: PostgresEventStore;
  readonly database: TestDatabase;
  close(): Promise<void>;
}

export const counter = {
  initialState: () => ({ total: 0, notes: [] as string[] }),
  evolve: (state: { total: number; notes: string[] }, event: { type: string; data: unknown }) => {
    const data = event.data as { by?: number; note?: string };
    return event.type === 'Added'
      ? { ...state, total: state.total + (data.by ?? 0) }
      : { ...state, notes: [...state.notes, data.note ?? ''] };
  },
};

/** A Fastify app with the console at /console over a fresh schema. */
export async function openConsoleFixture(
  options: Partial<DuetConsoleOptions> = {},
  database?: TestDatabase,
): Promise<ConsoleFixture> {
  const db = database ?? (await openTestDatabase({ kind: 'pglite' }));
  const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
  const app = Fastify();
  await app.register(duetConsole, {
    prefix: '/console',
    authenticate: apiKeyAuthentication({
      keys: {
        [keys.staff]: { id: 'sam', roles: ['staff'] },
        [keys.viewer]: { id: 'vera', roles: ['console-viewer'] },
        [keys.customer]: { id: 'ada', roles: ['customer'] },
      },
    }),
    stores: [{ name: 'main', store }],
    deciders: { counter },
    ...options,
  });
  return {
    app,
    store,
    database: db,
    async close() {
      await app.close();
      await store.close();
      if (!database) await db.dispose();
    },
  };
}

/** Headers that authenticate as one of `keys`. */
export const as = (key: string) => ({ 'x-api-key': key });
