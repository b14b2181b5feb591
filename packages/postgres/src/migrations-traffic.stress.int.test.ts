import { performance } from 'node:perf_hooks';
import { createPgExecutor, migrate } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../scripts/reliability/report-figures.ts';
import {
  expectStoredOnce,
  holdLock,
  SEEDED,
  startWritersOnV7,
  stopWritersAfterMigration,
  storedFigures,
  WRITERS,
  type Writers,
  waitForWritersBlocked,
  withAppName,
} from '../test-support/migrations-traffic.ts';

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

const APPENDS_AFTER = 5; // each writer's acknowledged appends after the migration

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('migration 8 under traffic on PostgreSQL', () => {
  it(`given a version-7 schema with ${SEEDED} events, when two migrators bring it to the latest version while ${WRITERS} writers append, then the writers wait, no acknowledged event is lost or stored twice and every stream stays contiguous`, async () => {
    const url = databaseUrl as string;
    const db = await openTestDatabase({ kind: 'postgres', url, migrate: false, poolSize: 4 });
    const { executor, schema } = db;
    const writersApp = `duet_s10_w_${schema}`;
    const migratorsApp = `duet_s10_m_${schema}`;
    const migratorPools = [0, 1].map(() =>
      createPgExecutor({ connectionString: withAppName(url, migratorsApp), max: 2 }),
    );
    let writers: Writers | undefined;
    try {
      // Today's store appends on version 7: each writer is under way before the migration.
      writers = await startWritersOnV7(executor, url, schema, writersApp);

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
        blockedWriters = await waitForWritersBlocked(
          executor,
          migratorsApp,
          writersApp,
          (waits) => {
            if (migrationMs === 0 && waits.migrator === 1) {
              migrationMs = performance.now() - started;
            }
          },
        );
        lock.release();
        await lock.done;
        results = await Promise.all(migrators);
        heldMs = performance.now() - started;
      } finally {
        lock.release();
        await lock.done.catch(() => {});
      }
      const check = await stopWritersAfterMigration(executor, schema, writers, APPENDS_AFTER);
      const applied = results.flatMap((result) => result.applied);
      reportFigures('S10', {
        events: SEEDED,
        migrationSeconds: Math.round(migrationMs / 100) / 10,
        migrationWithHoldSeconds: Math.round(heldMs / 100) / 10,
        maxWriterWaitMs: check.maxWriterWaitMs,
        writers: `${WRITERS} writers through today's store, ${blockedWriters} seen waiting on the migration`,
        ...storedFigures(check),
        migratorsUnderTraffic: migratorPools.length,
        migration8AppliedTimes: applied.filter((label) => label === '008-tenant-isolation').length,
      });
      expectStoredOnce(writers, check);
      // Each migration applied once, by whichever migrator took the schema lock first.
      expect([...applied].sort()).toEqual([
        '008-tenant-isolation',
        '009-notify-after-commit',
        '010-append-across-tenants',
      ]);
      expect(await migrate(executor, { schema })).toEqual({ applied: [] });
      const { rows: tenants } = await executor.query<{ tenant: string }>(
        `SELECT DISTINCT tenant FROM "${schema}".events`,
      );
      expect(tenants).toEqual([{ tenant: '' }]);
    } finally {
      await writers?.stop();
      for (const pool of migratorPools) await pool.close();
      await db.dispose();
    }
  }, 900_000);
});
