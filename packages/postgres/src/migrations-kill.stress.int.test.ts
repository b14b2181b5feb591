import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { newEventId } from '@duet/core';
import {
  ALL_MIGRATIONS,
  createPostgresEventStore,
  migrate,
  type SqlExecutor,
} from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../scripts/reliability/report-figures.ts';
import { bundledEntry } from '../../../scripts/test-support/bundle-entry.ts';
import {
  holdLock,
  waitFor,
  waitForNoSessions,
  withAppName,
} from '../test-support/migrations-traffic.ts';

// Issue 3, "Migrations: two at once (serialized), killed half-way (old schema intact)".
// Migrations run in child processes (migrations-kill-child.ts) so they can be SIGKILLed.
// To kill one deterministically inside its migration transaction, the test holds a SHARE
// lock on the migrations table: reading it passes, but recording a finished migration
// (an INSERT) waits. The child is killed while it waits, its new tables created but not
// committed.

// Migrations the killed run had still to apply: from 008 on, whose first statement makes
// tables (009 and 010 only make functions, which take no relation lock to wait on).
const PENDING = ALL_MIGRATIONS.length - 7;
const WAIT_TIMEOUT_MS = 20_000;
const CHILD = fileURLToPath(new URL('./migrations-kill-child.ts', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('migrations on PostgreSQL', () => {
  it(`given a schema ${PENDING} migrations behind, when migrate() is killed with SIGKILL inside a migration transaction, then the old schema and its data are intact and a fresh migrate() completes`, async () => {
    const url = databaseUrl as string;
    const db = await openTestDatabase({ kind: 'postgres', url, migrate: false });
    const { executor, schema } = db;
    try {
      const complete = await completeFingerprint(executor, schema);

      // The old state: an older release's migrations, with some events in it.
      const older = ALL_MIGRATIONS.slice(0, ALL_MIGRATIONS.length - PENDING);
      await migrate(executor, { schema }, older);
      const store = createPostgresEventStore({ executor, schema });
      const ids = [newEventId(), newEventId(), newEventId()];
      await store.append(
        'account-1',
        ids.map((id) => ({ type: 'Opened', data: { id }, id })),
        { expectedVersion: 'no_stream' },
      );
      await store.close();
      const before = await fingerprint(executor, schema);

      const appName = `duet_kill_${randomBytes(4).toString('hex')}`;
      const lock = holdLock(executor, `LOCK TABLE "${schema}".migrations IN SHARE MODE`);
      try {
        await lock.held;
        const child = startChild(withAppName(url, appName), schema);
        await child.ready;
        child.go();
        // The child is inside the first pending migration: its table created (a
        // relation lock it holds) and the INSERT into migrations waiting on ours.
        const pid = await waitFor(
          async () => {
            const { rows } = await executor.query<{ pid: number; created: string }>(
              `SELECT a.pid,
                      (SELECT count(*) FROM pg_locks l
                        WHERE l.pid = a.pid AND l.locktype = 'relation'
                          AND l.mode = 'AccessExclusiveLock' AND l.granted)::text AS created
                 FROM pg_stat_activity a
                WHERE a.application_name = $1 AND a.wait_event_type = 'Lock'
                  AND a.query ILIKE '%INSERT INTO%migrations%'`,
              [appName],
            );
            const row = rows[0];
            return row !== undefined && Number(row.created) > 0 ? row.pid : null;
          },
          'the child to block inside its migration transaction',
          WAIT_TIMEOUT_MS,
        );
        expect(pid).toBeGreaterThan(0);
        child.process.kill('SIGKILL');
        const [, signal] = (await child.exited) as [number | null, NodeJS.Signals | null];
        expect(signal).toBe('SIGKILL');
      } finally {
        lock.release();
        await lock.done;
      }
      // Its server backend notices the dead client and rolls back.
      await waitForNoSessions(
        executor,
        appName,
        'the killed child’s backend to end',
        WAIT_TIMEOUT_MS,
      );

      const after = await fingerprint(executor, schema);
      // Raw SQL: today's store reads columns the older schema does not have yet.
      const { rows: storedRows } = await executor.query<{ id: string }>(
        `SELECT id::text AS id FROM "${schema}".events WHERE stream = 'account-1'`,
      );
      const stored = storedRows.map((row) => row.id);
      reportFigures('S10', {
        migratorsKilled: 1,
        schemaIntactAfterKill: JSON.stringify(after) === JSON.stringify(before),
        eventsLostByKill: ids.filter((id) => !stored.includes(id)).length,
      });
      expect(after).toEqual(before);
      expect(stored).toEqual(ids);

      const pending = ALL_MIGRATIONS.slice(ALL_MIGRATIONS.length - PENDING).map(label);
      expect(await migrate(executor, { schema })).toEqual({ applied: pending });
      expect(await migrate(executor, { schema })).toEqual({ applied: [] });
      expect(await fingerprint(executor, schema)).toEqual(complete);
    } finally {
      await db.dispose();
    }
  }, 120_000);

  it('given an empty schema, when two processes run migrate() at the same moment, then both succeed and every migration is applied exactly once', async () => {
    const url = databaseUrl as string;
    const db = await openTestDatabase({ kind: 'postgres', url, migrate: false });
    const { executor, schema } = db;
    try {
      const complete = await completeFingerprint(executor, schema);

      const children = [startChild(url, schema), startChild(url, schema)];
      try {
        await Promise.all(children.map((child) => child.ready));
        for (const child of children) child.go();
        const results = await Promise.all(children.map((child) => child.result));
        const applied = results.flatMap((result) => result.applied);
        reportFigures('S10', {
          concurrentMigrators: children.length,
          migrationsAppliedTwice: applied.length - new Set(applied).size,
        });
        expect(applied.toSorted()).toEqual(ALL_MIGRATIONS.map(label));
        const { rows } = await executor.query<{ version: number }>(
          `SELECT version FROM "${schema}".migrations ORDER BY version`,
        );
        expect(rows.map((row) => row.version)).toEqual(ALL_MIGRATIONS.map((m) => m.version));
        expect(await fingerprint(executor, schema)).toEqual(complete);
      } finally {
        for (const child of children) child.process.kill('SIGKILL');
      }
    } finally {
      await db.dispose();
    }
  }, 60_000);
});

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly result: Promise<{ applied: string[] }>;
  readonly exited: Promise<unknown[]>;
  go(): void;
}

function startChild(connectionString: string, schema: string): Child {
  const child = spawn(process.execPath, [bundledEntry(CHILD), connectionString, schema], {
    cwd: PACKAGE_ROOT,
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit');
  const result = exited.then(([code]) => {
    const line = stdout.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !line.startsWith('{')) {
      throw new Error(`migrate child exited with ${String(code)}: ${stderr.slice(-2000)}`);
    }
    return JSON.parse(line) as { applied: string[] };
  });
  result.catch(() => {}); // the kill test never reads it
  const failedEarly = exited.then(() => {
    throw new Error(`migrate child exited before it was ready: ${stderr.slice(-2000)}`);
  });
  return {
    process: child,
    ready: Promise.race([ready, failedEarly]),
    result,
    exited,
    go: () => child.stdin.write('go\n'),
  };
}

// What a complete run leaves, to compare with at the end: the fingerprint of a scratch
// schema beside `schema`, migrated all the way and dropped again.
async function completeFingerprint(executor: SqlExecutor, schema: string): Promise<string[]> {
  const scratch = `${schema}_full`;
  await migrate(executor, { schema: scratch });
  const complete = await fingerprint(executor, scratch);
  await executor.query(`DROP SCHEMA "${scratch}" CASCADE`);
  return complete;
}

// The schema's shape, without its name: tables and their columns, indexes, functions and
// the recorded migrations.
async function fingerprint(executor: SqlExecutor, schema: string): Promise<string[]> {
  const columns = await executor.query<{ line: string }>(
    `SELECT c.relkind::text || ' ' || c.relname || coalesce('.' || a.attname || ' ' ||
            format_type(a.atttypid, a.atttypmod), '') AS line
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1
      ORDER BY 1`,
    [schema],
  );
  const functions = await executor.query<{ line: string }>(
    `SELECT 'function ' || p.proname || '(' || pg_get_function_arguments(p.oid) || ')' AS line
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 ORDER BY 1`,
    [schema],
  );
  const exists = await executor.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = 'migrations'`,
    [schema],
  );
  const migrations =
    exists.rows.length === 0
      ? []
      : (
          await executor.query<{ line: string }>(
            `SELECT 'migration ' || version || ' ' || name AS line
               FROM "${schema}".migrations ORDER BY version`,
          )
        ).rows;
  return [...columns.rows, ...functions.rows, ...migrations].map((row) => row.line);
}

function label(migration: { version: number; name: string }): string {
  return `${String(migration.version).padStart(3, '0')}-${migration.name}`;
}
