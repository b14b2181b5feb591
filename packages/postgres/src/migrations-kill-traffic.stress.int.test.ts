import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { migrate } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../scripts/reliability/report-figures.ts';
import { bundledEntry } from '../../../scripts/test-support/bundle-entry.ts';
import {
  expectStoredOnce,
  holdLock,
  SEEDED,
  startWritersOnV7,
  stopWritersAfterMigration,
  storedFigures,
  WRITERS,
  type Writers,
  waitForNoSessions,
  waitForWritersBlocked,
  waitUntil,
  withAppName,
} from '../test-support/migrations-traffic.ts';

// Issue 13, S10: "a migrator killed mid-run" while writers append. Eight writers append
// through today's store to a version-7 schema of N events; a migrator process runs
// migration 8 and is killed with SIGKILL while it holds the migration's locks (the test's
// SHARE lock on the migrations table keeps it inside, as in migrations-kill), with every
// writer waiting behind it. Its transaction never commits: the writers go on on version 7,
// a new migrate() then brings the schema up while they keep appending, and every
// acknowledged append is stored once, every writer's stream contiguous.

const CHILD = fileURLToPath(new URL('./migrations-kill-child.ts', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));
const APPENDS_BETWEEN = 3; // each writer's acknowledged appends after the kill, on version 7
const APPENDS_AFTER = 3; // and after the new migration

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('a migrator killed under traffic on PostgreSQL', () => {
  it(`given ${WRITERS} writers appending to a version-7 schema of ${SEEDED} events, when the migrator is killed inside migration 8, then the writers go on on version 7, a new migrate() completes under them, and no acknowledged event is lost or stored twice`, async () => {
    const url = databaseUrl as string;
    const db = await openTestDatabase({ kind: 'postgres', url, migrate: false, poolSize: 4 });
    const { executor, schema } = db;
    const writersApp = `duet_s10_kw_${schema}`;
    const migratorApp = `duet_s10_km_${schema}`;
    let writers: Writers | undefined;
    const child = spawn(
      process.execPath,
      [bundledEntry(CHILD), withAppName(url, migratorApp), schema],
      { cwd: PACKAGE_ROOT },
    );
    const exited = once(child, 'exit');
    try {
      writers = await startWritersOnV7(executor, url, schema, writersApp);
      const { list } = writers;
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      await waitUntil(() => stdout.startsWith('ready\n'), 'the migrator child to connect');

      const lock = holdLock(executor, `LOCK TABLE "${schema}".migrations IN SHARE MODE`);
      let blockedWriters = 0;
      try {
        await lock.held;
        child.stdin.write('go\n');
        blockedWriters = await waitForWritersBlocked(executor, migratorApp, writersApp);
        child.kill('SIGKILL');
        const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
        expect(signal).toBe('SIGKILL');
      } finally {
        lock.release();
        await lock.done.catch(() => {});
      }
      // Its backend finds the client gone and rolls the migration back; the writers go on.
      await waitForNoSessions(executor, migratorApp, 'the killed migrator’s backend to end');
      const { rows: versions } = await executor.query<{ version: number }>(
        `SELECT max(version) AS version FROM "${schema}".migrations`,
      );
      const atKill = list.map((w) => w.acknowledged.length);
      await waitUntil(
        () => list.every((w, i) => w.acknowledged.length >= (atKill[i] ?? 0) + APPENDS_BETWEEN),
        'writers on version 7 after the kill',
      );

      const { applied } = await migrate(executor, { schema });
      const check = await stopWritersAfterMigration(executor, schema, writers, APPENDS_AFTER);
      reportFigures('S10', {
        events: SEEDED,
        migratorsKilledUnderTraffic: 1,
        writersWaitingAtKill: blockedWriters,
        ...storedFigures(check),
        maxWriterWaitMs: check.maxWriterWaitMs,
      });
      expect(Number(versions[0]?.version)).toBe(7);
      expect(applied).toEqual([
        '008-tenant-isolation',
        '009-notify-after-commit',
        '010-append-across-tenants',
      ]);
      expectStoredOnce(writers, check);
    } finally {
      child.kill('SIGKILL');
      await writers?.stop();
      await db.dispose();
    }
  }, 900_000);
});
