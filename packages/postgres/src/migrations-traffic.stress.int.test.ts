import { performance } from 'node:perf_hooks';
import { DuetError, type EventStore, newEventId } from '@duet/core';
import {
  ALL_MIGRATIONS,
  createPgExecutor,
  createPostgresEventStore,
  migrate,
  type PostgresEventStore,
  type SqlExecutor,
} from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../scripts/reliability/report-figures.ts';

// Issue 13, S10: "migrating a database with 1M events while writers append; two migrators
// at once". A schema at version 7 (the release before tenants) holds N events, filled in
// SQL. Eight writers append through today's store, which runs on version 7 (appends call
// append_events(batch jsonb), which both versions define). Migration 8 then runs while they
// append: it rewrites the events table's unique index and the streams primary key under
// ACCESS EXCLUSIVE locks, so every append waits for it; two migrators start at once.
// To be sure the writers really meet the migration (at small scale it takes a fraction of
// a second), the test holds a SHARE lock on the migrations table: the winning migrator
// does all its work, then waits to record it while still holding its locks, and the test
// lets it go only once every writer is seen waiting on a lock. Afterwards every append a
// writer was told succeeded must be stored exactly once, every writer's stream contiguous.

const FULL = process.env.DUET_FULL === '1';
const SEEDED = FULL ? 1_000_000 : 50_000;
const SEED_STREAMS = 1_000;
const WRITERS = 8;
const APPENDS_AFTER = 5; // each writer's acknowledged appends after the migration
const WAIT_TIMEOUT_MS = FULL ? 300_000 : 30_000;

const databaseUrl = inject('databaseUrl');

interface Writer {
  readonly stream: string;
  /** Ids of the events of each acknowledged append, in the order they were acknowledged. */
  readonly acknowledged: string[];
  /** Acknowledged appends that started after the migration had finished. */
  acknowledgedAfter: number;
  typedErrors: number;
  readonly untypedErrors: string[];
  maxWaitMs: number;
}

describe.skipIf(databaseUrl === null)('migration 8 under traffic on PostgreSQL', () => {
  it(`given a version-7 schema with ${SEEDED} events, when two migrators bring it to the latest version while ${WRITERS} writers append, then the writers wait, no acknowledged event is lost or stored twice and every stream stays contiguous`, async () => {
    const url = databaseUrl as string;
    const db = await openTestDatabase({ kind: 'postgres', url, migrate: false, poolSize: 4 });
    const { executor, schema } = db;
    const writersApp = `duet_s10_w_${schema}`;
    const migratorsApp = `duet_s10_m_${schema}`;
    const writerPool = createPgExecutor({
      connectionString: withAppName(url, writersApp),
      max: WRITERS + 2,
    });
    const migratorPools = [0, 1].map(() =>
      createPgExecutor({ connectionString: withAppName(url, migratorsApp), max: 2 }),
    );
    const stores: PostgresEventStore[] = [];
    let stop = false;
    try {
      await migrate(executor, { schema }, ALL_MIGRATIONS.slice(0, 7));
      await seed(executor, schema);

      let migrated = false;
      const writers: Writer[] = [];
      const runs = Array.from({ length: WRITERS }, (_, i) => {
        const store = createPostgresEventStore({ executor: writerPool, schema });
        stores.push(store);
        const writer: Writer = {
          stream: `writer-${i}`,
          acknowledged: [],
          acknowledgedAfter: 0,
          typedErrors: 0,
          untypedErrors: [],
          maxWaitMs: 0,
        };
        writers.push(writer);
        return write(
          writer,
          store,
          writerPool,
          schema,
          () => stop,
          () => migrated,
        );
      });
      // Today's store appends on version 7: each writer is under way before the migration.
      await waitUntil(() => writers.every((w) => w.acknowledged.length >= 2), 'writers on v7');

      const lock = holdLock(executor, `LOCK TABLE "${schema}".migrations IN SHARE MODE`);
      let blockedWriters = 0;
      let migrationMs = 0; // from its start until it waits to record migration 8: its work
      let heldMs = 0; // from its start until both migrators returned, the test's hold included
      let results: { applied: string[] }[] = [];
      try {
        await lock.held;
        const started = performance.now();
        const migrators = migratorPools.map((pool) => migrate(pool, { schema }));
        // The winner has run migration 8's statements and waits to record it, holding its
        // ACCESS EXCLUSIVE locks; every writer's append is queued behind them.
        blockedWriters = await waitFor(async () => {
          const { rows } = await executor.query<{ migrator: string; writers: string }>(
            `SELECT count(*) FILTER (WHERE application_name = $1
                                       AND query ILIKE '%INSERT INTO%migrations%')::text AS migrator,
                    count(*) FILTER (WHERE application_name = $2)::text AS writers
               FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
            [migratorsApp, writersApp],
          );
          const row = rows[0];
          if (migrationMs === 0 && Number(row?.migrator) === 1) {
            migrationMs = performance.now() - started;
          }
          return row && Number(row.migrator) === 1 && Number(row.writers) >= WRITERS
            ? Number(row.writers)
            : null;
        }, 'the migrator to hold its locks with every writer waiting');
        lock.release();
        await lock.done;
        results = await Promise.all(migrators);
        heldMs = performance.now() - started;
      } finally {
        lock.release();
        await lock.done.catch(() => {});
      }
      migrated = true;
      await waitUntil(
        () => writers.every((w) => w.acknowledgedAfter >= APPENDS_AFTER),
        'writers on the migrated schema',
      );
      stop = true;
      await Promise.all(runs);

      const { rows } = await executor.query<{ id: string; stream: string; version: string }>(
        `SELECT id::text AS id, stream, stream_version::text AS version
           FROM "${schema}".events WHERE category = 'writer' ORDER BY stream, stream_version`,
      );
      const { rows: versions } = await executor.query<{ stream: string; version: string }>(
        `SELECT stream, version::text AS version FROM "${schema}".streams WHERE stream LIKE 'writer-%'`,
      );
      const { rows: seededRows } = await executor.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${schema}".events WHERE category = 'seed'`,
      );
      const stored = new Map<string, number>();
      for (const row of rows) stored.set(row.id, (stored.get(row.id) ?? 0) + 1);
      const acknowledged = writers.flatMap((w) => w.acknowledged);
      const lost = acknowledged.filter((id) => !stored.has(id)).length;
      const duplicated = [...stored.values()].filter((n) => n > 1).length;
      const gaps = writers.filter((w) => {
        const mine = rows
          .filter((row) => row.stream === w.stream)
          .map((row) => Number(row.version));
        const head = Number(versions.find((v) => v.stream === w.stream)?.version ?? 0);
        return mine.some((v, i) => v !== i + 1) || head !== mine.length;
      }).length;
      const applied = results.flatMap((result) => result.applied);
      reportFigures('S10', {
        events: SEEDED,
        migrationSeconds: Math.round(migrationMs / 100) / 10,
        migrationWithHoldSeconds: Math.round(heldMs / 100) / 10,
        maxWriterWaitMs: Math.round(Math.max(...writers.map((w) => w.maxWaitMs))),
        writers: `${WRITERS} writers through today's store, ${blockedWriters} seen waiting on the migration`,
        acknowledged: acknowledged.length,
        stored: rows.length,
        lost,
        duplicated,
        streamVersionGaps: gaps,
        writerTypedErrors: writers.reduce((n, w) => n + w.typedErrors, 0),
        writerUntypedErrors: writers.reduce((n, w) => n + w.untypedErrors.length, 0),
        migratorsUnderTraffic: migratorPools.length,
        migration8AppliedTimes: applied.filter((label) => label === '008-tenant-isolation').length,
      });
      expect(writers.flatMap((w) => w.untypedErrors)).toEqual([]);
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
      expect(gaps).toBe(0);
      // Ambiguous failures may store what was never acknowledged; none happened here.
      expect(rows.length).toBe(acknowledged.length);
      expect(Number(seededRows[0]?.n)).toBe(SEEDED);
      expect(applied).toEqual(['008-tenant-isolation']);
      expect(await migrate(executor, { schema })).toEqual({ applied: [] });
      const { rows: tenants } = await executor.query<{ tenant: string }>(
        `SELECT DISTINCT tenant FROM "${schema}".events`,
      );
      expect(tenants).toEqual([{ tenant: '' }]);
    } finally {
      stop = true;
      for (const store of stores) await store.close();
      await writerPool.close();
      for (const pool of migratorPools) await pool.close();
      await db.dispose();
    }
  }, 900_000);
});

/** N events over 1,000 streams in two statements: the shape appends leave, without appends. */
async function seed(executor: SqlExecutor, schema: string): Promise<void> {
  await executor.query(
    `INSERT INTO "${schema}".events
       (id, stream, stream_version, category, type, schema_version, data, metadata,
        recorded_at, append_index, append_size)
     SELECT gen_random_uuid(), 'seed-' || (g % $2), g / $2 + 1, 'seed', 'Seeded', 1,
            jsonb_build_object('n', g), '{}'::jsonb, now(), 0, 1
       FROM generate_series(0, $1 - 1) AS g`,
    [SEEDED, SEED_STREAMS],
  );
  await executor.query(
    `INSERT INTO "${schema}".streams (stream, version, created_at, updated_at)
     SELECT 'seed-' || k, $1::bigint / $2, now(), now() FROM generate_series(0, $2 - 1) AS k`,
    [SEEDED, SEED_STREAMS],
  );
}

/**
 * Appends one event at a time to its own stream, expecting the version it was last told,
 * until `stopped()`. A typed error (a DuetError) is counted and the version read again
 * (straight SQL: it works on both schema versions); anything else is recorded.
 */
async function write(
  writer: Writer,
  store: EventStore,
  executor: SqlExecutor,
  schema: string,
  stopped: () => boolean,
  migrated: () => boolean,
): Promise<void> {
  let version = 0;
  while (!stopped()) {
    const id = newEventId();
    const after = migrated();
    const started = performance.now();
    try {
      const result = await store.append(
        writer.stream,
        [{ type: 'Wrote', data: { n: version }, id }],
        {
          expectedVersion: version === 0 ? 'no_stream' : version,
        },
      );
      writer.acknowledged.push(id);
      if (after) writer.acknowledgedAfter++;
      version = result.streamVersion;
    } catch (error) {
      if (error instanceof DuetError) writer.typedErrors++;
      else writer.untypedErrors.push(error instanceof Error ? error.message : String(error));
      const { rows } = await executor.query<{ version: string }>(
        `SELECT version::text AS version FROM "${schema}".streams WHERE stream = $1`,
        [writer.stream],
      );
      version = Number(rows[0]?.version ?? 0);
    } finally {
      writer.maxWaitMs = Math.max(writer.maxWaitMs, performance.now() - started);
    }
  }
}

// Holds one statement's lock in an open transaction until released.
function holdLock(executor: SqlExecutor, statement: string) {
  let release: () => void = () => {};
  let onHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    onHeld = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = executor.transaction(async (tx) => {
    await tx.query(statement);
    onHeld();
    await released;
  });
  return { held: Promise.race([held, done]), done, release };
}

function withAppName(url: string, appName: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}application_name=${appName}`;
}

async function waitFor<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function waitUntil(condition: () => boolean, what: string): Promise<true> {
  return waitFor(async () => (condition() ? true : null), what);
}
