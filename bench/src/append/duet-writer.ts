import {
  createPGliteExecutor,
  createPgExecutor,
  createPostgresEventStore,
  migrate,
} from '@duet/postgres';
import { PGlite } from '@electric-sql/pglite';
import type { AppendSystem } from './append-system.ts';
import { countingExecutor, type ExecutorCounts } from './counting-executor.ts';

type DuetStore = ReturnType<typeof createPostgresEventStore>;

/**
 * Duet's store on PostgreSQL with its defaults (group commit on, executor pool of 10):
 * one store for the round, its schema migrated before timing. All writers of a shape
 * share it, as the request handlers of one service do.
 */
export async function openDuetPostgres(
  connectionString: string,
  schema: string,
): Promise<AppendSystem> {
  const { executor, counts } = countingExecutor(createPgExecutor({ connectionString }));
  await migrate(executor, { schema });
  const store = createPostgresEventStore({ executor, schema });
  return duetSystem(store, counts, () => executor.close());
}

/** Duet's store on a fresh in-memory PGlite: writers are concurrent promises in one process. */
export async function openDuetPGlite(schema: string): Promise<AppendSystem> {
  const db = await PGlite.create();
  const { executor, counts } = countingExecutor(createPGliteExecutor(db));
  await migrate(executor, { schema });
  const store = createPostgresEventStore({ executor, schema });
  return duetSystem(store, counts, async () => {
    await executor.close();
    await db.close();
  });
}

function duetSystem(
  store: DuetStore,
  counts: ExecutorCounts,
  closeExecutor: () => Promise<void>,
): AppendSystem {
  let appends = 0;
  let events = 0;
  return {
    async openSession() {
      appends = 0;
      events = 0;
      counts.commits = 0;
      counts.roundTrips = 0;
      return {
        async append(_writer, stream, version, batch) {
          await store.append(stream, batch, {
            expectedVersion: version === 0 ? 'no_stream' : version,
          });
          appends += 1;
          events += batch.length;
        },
        async close() {},
      };
    },
    // Over the whole shape, warm-up included: how many appends and events one commit
    // carried (group commit's batch) and how many round trips it took.
    async describeShape() {
      const per = (n: number) => Math.round((n / Math.max(counts.commits, 1)) * 10) / 10;
      return {
        commits: counts.commits,
        appends_per_commit: per(appends),
        events_per_commit: per(events),
        round_trips_per_commit: per(counts.roundTrips),
      };
    },
    async close() {
      await store.close();
      await closeExecutor();
    },
  };
}
