import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  createPGliteExecutor,
  createPostgresEventStore,
  migrate,
  openProcessors,
  type ProjectionStatus,
  type SqlExecutor,
} from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, inject, it } from 'vitest';
import orderConfig from '../test-support/order-config.ts';
import { runDuet } from '../test-support/run-duet.ts';
import { seedEvents } from '../test-support/seed-events.ts';
import { ExitCode } from './exit-code.ts';

// Issue 5: projections status, rebuild with progress, dead letters list and retry, with
// the real binary and the projections of test-support/order-config.ts. Issue 12: pause,
// resume and dead-letters skip.

const config = new URL('../test-support/order-config.ts', import.meta.url).pathname;
const databaseUrl = inject('databaseUrl');

interface Backend {
  /** The database and schema options that point the CLI at the seeded store. */
  readonly args: string[];
  /** The environment that names the runner's schemas for order-config.ts. */
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

async function seed(executor: SqlExecutor, schema: string): Promise<void> {
  const store = createPostgresEventStore({ executor, schema });
  await seedEvents(store);
  await store.close();
}

// On PGlite every duet command opens the database again (seconds each), so these
// scenarios run there at full scale only (DUET_FULL=1): in CI they run on PostgreSQL, and
// the CLI's own PGlite path is cli.pglite.e2e.test.ts's.
const backends: [string, boolean, () => Promise<Backend>][] = [
  [
    'PGlite',
    process.env.DUET_FULL !== '1',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'duet-cli-'));
      const dir = join(root, 'pglite');
      const db = await PGlite.create({ dataDir: dir });
      const executor = createPGliteExecutor(db);
      await migrate(executor, { schema: 'shop' });
      await migrate(executor, { set: 'processors' });
      await seed(executor, 'shop');
      await db.close(); // one process at a time: the CLI opens it next
      return {
        args: ['--pglite', dir, '--schema', 'shop', '--config', config],
        env: {},
        dispose: () => rm(root, { recursive: true, force: true }),
      };
    },
  ],
  [
    'PostgreSQL',
    databaseUrl === null,
    async () => {
      const db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
      await seed(db.executor, db.schema);
      const runner = `${db.schema}_runner`;
      const readModels = `${db.schema}_models`;
      await migrate(db.executor, { schema: runner, set: 'processors' });
      return {
        args: ['--database-url', databaseUrl!, '--schema', db.schema, '--config', config],
        env: { DUET_TEST_RUNNER_SCHEMA: runner, DUET_TEST_READ_MODEL_SCHEMA: readModels },
        async dispose() {
          await db.executor.query(`DROP SCHEMA IF EXISTS "${runner}" CASCADE`);
          await db.executor.query(`DROP SCHEMA IF EXISTS "${readModels}" CASCADE`);
          await db.dispose();
        },
      };
    },
  ],
];

describe.each(backends)('duet projections on %s', (name, skip, open) => {
  it.skipIf(skip)(
    'given a poisoned SKU, when a projection is rebuilt, then progress goes to stderr, the poisoned events are dead letters, and after the fix a retry applies them',
    async () => {
      const backend = await open();
      try {
        const { args, env } = backend;
        const poisoned = { ...env, DUET_TEST_POISON_SKU: 'pear' };
        const rebuild = await runDuet(
          ['projections', 'rebuild', 'items_per_order', '--json', ...args],
          poisoned,
        );
        expect(rebuild.code).toBe(0);
        expect(JSON.parse(rebuild.stdout)).toMatchObject({
          name: 'items_per_order',
          version: 1,
          events: 3,
          deadLetters: 3,
        });
        expect(rebuild.stderr).toMatch(
          /^rebuild items_per_order: \d+\/\d+ events \(\d+%\), \d+ events\/s, ETA /m,
        );
        expect(rebuild.stderr).toContain('3 dead letters');

        const status = await runDuet(['projections', 'status', ...args], env);
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(
          /items_per_order v1 │ \w+ +│ \w+ +│ - +│ [0-9a-f-]{33} │ [0-9a-f-]{33} │ 0 +│ - +│ - /,
        );
        const statusJson = await runDuet(['projections', 'status', '--json', ...args], env);
        expect(JSON.parse(statusJson.stdout)).toEqual([
          expect.objectContaining({ name: 'items_per_order', lagEvents: 0, lagMs: 0, applied: 3 }),
        ]);

        const list = await runDuet(
          ['dead-letters', 'list', '--projection', 'items_per_order', ...args],
          env,
        );
        expect(list.code).toBe(0);
        expect(list.stdout.match(/cannot apply pear/g)).toHaveLength(3);
        const letters = JSON.parse(
          (await runDuet(['dead-letters', 'list', '--json', ...args], env)).stdout,
        ) as { id: string }[];
        expect(letters).toHaveLength(3);

        const stillBroken = await runDuet(
          ['dead-letters', 'retry', letters[0]!.id, ...args],
          poisoned,
        );
        expect(stillBroken.code).toBe(ExitCode.incomplete);
        expect(stillBroken.stderr).toContain('retry failed, nothing changed: cannot apply pear');

        const one = await runDuet(['dead-letters', 'retry', letters[0]!.id, ...args], env);
        expect(one).toMatchObject({ code: 0, stdout: 'retried 1 dead letter\n' });
        const rest = await runDuet(
          ['dead-letters', 'retry', '--projection', 'items_per_order', '--json', ...args],
          env,
        );
        expect(JSON.parse(rest.stdout)).toEqual({ retried: 2 });
        const gone = await runDuet(['dead-letters', 'retry', letters[0]!.id, ...args], env);
        expect(gone.code).toBe(ExitCode.notFound);
        const unknown = await runDuet(['projections', 'rebuild', 'nope', ...args], env);
        expect(unknown.code).toBe(ExitCode.notFound);
        expect(unknown.stderr).toContain('no projection named nope in --config');
      } finally {
        await backend.dispose();
      }
    },
    240_000,
  );

  // On PGlite only: PostgreSQL's pause is the test beside a running app below, and each
  // CLI call here is a process of its own (the file is CI's longest).
  it.skipIf(skip || name !== 'PGlite')(
    'given poisoned events, when their dead letters are skipped by id and by projection, then they are dropped and counted; a pause without a runner is recorded for the next one, and shown by status until resumed (issue 12)',
    async () => {
      const backend = await open();
      try {
        const { args, env } = backend;
        const early = await runDuet(['projections', 'pause', 'items_per_order', ...args], env);
        expect(early.code).toBe(ExitCode.notFound);
        expect(early.stderr).toContain('no runner has set up items_per_order on this database yet');
        const unknown = await runDuet(['projections', 'pause', 'nope', ...args], env);
        expect(unknown.code).toBe(ExitCode.notFound);
        expect(unknown.stderr).toContain('no projection named nope in --config');

        const poisoned = { ...env, DUET_TEST_POISON_SKU: 'pear' };
        const rebuild = await runDuet(
          ['projections', 'rebuild', 'items_per_order', ...args],
          poisoned,
        );
        expect(rebuild.code).toBe(0);
        const letters = JSON.parse(
          (await runDuet(['dead-letters', 'list', '--json', ...args], env)).stdout,
        ) as { id: string }[];
        expect(letters).toHaveLength(3);
        const one = await runDuet(['dead-letters', 'skip', letters[0]!.id, ...args], env);
        expect(one).toMatchObject({ code: 0, stdout: 'dropped 1 dead letter (not applied)\n' });
        const rest = await runDuet(
          ['dead-letters', 'skip', '--projection', 'items_per_order', '--json', ...args],
          env,
        );
        expect(JSON.parse(rest.stdout)).toEqual({ skipped: 2 });
        const none = await runDuet(
          ['dead-letters', 'skip', '--projection', 'items_per_order', ...args],
          env,
        );
        expect(none.code).toBe(ExitCode.notFound);
        expect(none.stderr).toContain('no dead letters for items_per_order');
        const listed = await runDuet(['dead-letters', 'list', ...args], env);
        expect(listed.stdout).toBe('no dead letters\n');

        const pause = await runDuet(
          ['projections', 'pause', 'items_per_order', '--by', 'alice', '--json', ...args],
          env,
        );
        expect(pause.code).toBe(0);
        const paused = JSON.parse(pause.stdout) as { pausedAt: string };
        expect(paused).toEqual({
          name: 'items_per_order',
          pausedAt: expect.any(String),
          pausedBy: 'alice',
        });
        const json = await runDuet(['projections', 'status', '--json', ...args], env);
        expect(JSON.parse(json.stdout)).toEqual([
          expect.objectContaining({
            state: 'stopped',
            paused: { at: paused.pausedAt, by: 'alice' },
          }),
        ]);
        const table = await runDuet(['projections', 'status', ...args], env);
        expect(table.stdout).toMatch(/items_per_order v1 │ stopped +│ stopped +│ alice, .+ ago +│/);
        expect(table.stdout).toContain(`; paused by alice since ${paused.pausedAt}\n`);
        // A rebuild of a paused projection resets it and ends there, saying so.
        const rebuildPaused = await runDuet(
          ['projections', 'rebuild', 'items_per_order', ...args],
          env,
        );
        expect(rebuildPaused.code).toBe(ExitCode.incomplete);
        expect(rebuildPaused.stderr).toContain(
          'items_per_order is paused: its read model was reset and replays once it is resumed',
        );

        const resume = await runDuet(['projections', 'resume', 'items_per_order', ...args], env);
        expect(resume).toMatchObject({
          code: 0,
          stdout: `resumed items_per_order (paused by alice since ${paused.pausedAt})\n`,
        });
        const again = await runDuet(
          ['projections', 'resume', 'items_per_order', '--json', ...args],
          env,
        );
        expect(JSON.parse(again.stdout)).toEqual({ name: 'items_per_order', resumed: false });
        const after = await runDuet(['projections', 'status', '--json', ...args], env);
        expect(JSON.parse(after.stdout)).toEqual([
          expect.not.objectContaining({ paused: expect.anything() }),
        ]);
      } finally {
        await backend.dispose();
      }
    },
    240_000,
  );
});

// The CLI author's report: status and rebuild while the app's runner runs in another
// process (this test process; the CLI is the real binary in a child). PostgreSQL only: a
// PGlite directory is open in one process at a time.
describe.skipIf(databaseUrl === null)('duet projections beside a running app', () => {
  it('given the app runs the projection, then status shows it live at the head with that runner, a rebuild is asked of it and completes through it, behind an open transaction it is stalled naming that pid, and once the app stops it is stopped', async () => {
    const db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    const runnerSchema = `${db.schema}_runner`;
    const readModelSchema = `${db.schema}_models`;
    await migrate(db.executor, { schema: runnerSchema, set: 'processors' });
    const app = openProcessors({
      store: { executor: db.executor, schema: db.schema },
      schema: runnerSchema,
      readModelSchema,
      projections: orderConfig.projections,
      pollIntervalMs: 100,
    });
    try {
      await seed(db.executor, db.schema);
      await app.start();
      const ready = await until(app.status, (s) => s.state === 'live' && s.lagEvents === 0);
      const appId = ready[0]?.ownedBy;
      expect(appId).toBeDefined();
      const head = ready[0]?.head;
      const args = ['--database-url', databaseUrl!, '--schema', db.schema, '--config', config];
      const env = {
        DUET_TEST_RUNNER_SCHEMA: runnerSchema,
        DUET_TEST_READ_MODEL_SCHEMA: readModelSchema,
      };

      const json = await runDuet(['projections', 'status', '--json', ...args], env);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual([
        expect.objectContaining({
          name: 'items_per_order',
          state: 'live',
          position: head,
          head,
          lagEvents: 0,
          applied: 6,
          owned: false,
          ownedBy: appId,
        }),
      ]);
      const table = await runDuet(['projections', 'status', ...args], env);
      expect(table.stdout).toMatch(/items_per_order v1 │ live +│ /);
      expect(table.stdout).toContain(appId);

      const rebuild = await runDuet(
        ['projections', 'rebuild', 'items_per_order', '--json', ...args],
        env,
      );
      expect(rebuild.code).toBe(0);
      expect(JSON.parse(rebuild.stdout)).toMatchObject({
        name: 'items_per_order',
        version: 1,
        events: 6,
        deadLetters: 0,
        rebuiltBy: appId,
      });
      expect(rebuild.stderr).toContain(`the runner ${appId} is rebuilding items_per_order`);
      const [after] = await app.status();
      expect(after).toMatchObject({ state: 'live', applied: 6, position: head, owned: true });
      const { tables, executor } = await app.readModel('items_per_order');
      const { rows } = await executor.query<{ items: number }>(
        `SELECT sum(items)::integer AS items FROM ${tables.name('orders')}`,
      );
      expect(rows).toEqual([{ items: 6 }]);

      // Issue 12: an appender's transaction held open keeps the runner's position from
      // moving while a later order commits: the app's projection is stalled, and says why.
      const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
      const appended = gate();
      const release = gate();
      let holderPid = 0;
      const holder = store.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        holderPid = rows[0]!.pid;
        await tx.append('order-8', [{ type: 'ItemAdded', data: { sku: 'fig', quantity: 1 } }]);
        appended.open();
        await release.opened;
      });
      try {
        await appended.opened;
        await store.append('order-9', [{ type: 'ItemAdded', data: { sku: 'kiwi', quantity: 1 } }]);
        const stallArgs = ['projections', 'status', '--stall-after', '1', ...args];
        let stalled = await runDuet(stallArgs, env);
        while (!stalled.stdout.includes('items_per_order v1 stalled')) {
          stalled = await runDuet(stallArgs, env); // the test's timeout bounds this
        }
        expect(stalled.code).toBe(0);
        expect(stalled.stdout).toMatch(
          new RegExp(`items_per_order v1 │ \\w+ +│ stalled [^│]+│ .*│ pid ${holderPid}, open `),
        );
        expect(stalled.stdout).toMatch(
          new RegExp(
            `^items_per_order v1 stalled: its position has not moved for .+ while 1 event waits; committed events wait behind the transaction of pid ${holderPid}, open .+$`,
            'm',
          ),
        );
        const stalledJson = await runDuet([...stallArgs, '--json'], env);
        expect(JSON.parse(stalledJson.stdout)).toEqual([
          expect.objectContaining({
            health: 'stalled',
            lagEvents: 1,
            ownedBy: appId,
            heldBy: expect.objectContaining({ pid: holderPid }),
          }),
        ]);
        // A longer --stall-after does not call this wait a stall yet.
        const patient = await runDuet(
          ['projections', 'status', '--stall-after', '86400000', '--json', ...args],
          env,
        );
        expect(JSON.parse(patient.stdout)).toEqual([
          expect.objectContaining({ health: 'healthy' }),
        ]);
      } finally {
        release.open();
        await holder;
        await store.close();
      }

      await app.stop();
      const stopped = await runDuet(['projections', 'status', '--json', ...args], env);
      expect(JSON.parse(stopped.stdout)).toEqual([
        expect.objectContaining({
          state: 'stopped',
          health: 'stopped',
          reason: 'no runner works it',
          owned: false,
        }),
      ]);
      const stoppedTable = await runDuet(['projections', 'status', ...args], env);
      expect(stoppedTable.stdout).toContain('items_per_order v1 stopped: no runner works it\n');
    } finally {
      await app.stop();
      await db.executor.query(`DROP SCHEMA IF EXISTS "${runnerSchema}" CASCADE`);
      await db.executor.query(`DROP SCHEMA IF EXISTS "${readModelSchema}" CASCADE`);
      await db.dispose();
    }
  }, 120_000);
});

// Issue 12: an operator pauses the app's projection from the CLI (another process); the
// app's runner stops applying until the CLI resumes it.
describe.skipIf(databaseUrl === null)('duet projections pause beside a running app', () => {
  it('given the app runs the projection live, when the CLI pauses it, then status says paused by whom, appended events wait unapplied through several heartbeats, and on resume the runner applies them', async () => {
    const db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    const runnerSchema = `${db.schema}_runner`;
    const readModelSchema = `${db.schema}_models`;
    await migrate(db.executor, { schema: runnerSchema, set: 'processors' });
    let batches = 0;
    const app = openProcessors({
      store: { executor: db.executor, schema: db.schema },
      schema: runnerSchema,
      readModelSchema,
      projections: orderConfig.projections,
      pollIntervalMs: 100,
      statusIntervalMs: 100,
      onBatch: () => {
        batches += 1;
      },
    });
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const items = async () => {
      const { tables, executor } = await app.readModel('items_per_order');
      const { rows } = await executor.query<{ items: number }>(
        `SELECT sum(items)::integer AS items FROM ${tables.name('orders')}`,
      );
      return rows[0]?.items;
    };
    const heartbeats = (beats: number) => afterHeartbeats(db.executor, runnerSchema, beats);
    try {
      await seedEvents(store);
      await app.start();
      await until(app.status, (s) => s.state === 'live' && s.lagEvents === 0);
      const args = ['--database-url', databaseUrl!, '--schema', db.schema, '--config', config];
      const env = {
        DUET_TEST_RUNNER_SCHEMA: runnerSchema,
        DUET_TEST_READ_MODEL_SCHEMA: readModelSchema,
      };

      const pause = await runDuet(['projections', 'pause', 'items_per_order', ...args], env);
      expect(pause.code).toBe(0);
      const operator = userInfo().username;
      expect(pause.stdout).toMatch(
        new RegExp(`^paused items_per_order by ${operator} since \\d{4}-\\d\\d-\\d\\dT.+Z\\n$`),
      );
      // Each heartbeat re-reads the pauses: after two the runner has surely seen it.
      await heartbeats(2);
      const before = batches;
      await store.append('order-8', [{ type: 'ItemAdded', data: { sku: 'fig', quantity: 1 } }]);
      const statusArgs = ['projections', 'status', ...args];
      let status = await runDuet(statusArgs, env);
      while (!status.stdout.includes('1 event waits')) {
        status = await runDuet(statusArgs, env); // the test's timeout bounds this
      }
      expect(status.stdout).toMatch(
        new RegExp(`items_per_order v1 │ paused +│ paused +│ ${operator}, .+ ago +│ .*│ 1 +│`),
      );
      expect(status.stdout).toMatch(
        new RegExp(
          `^items_per_order v1 paused: paused by ${operator} since \\S+Z; 1 event waits$`,
          'm',
        ),
      );
      const json = await runDuet(['projections', 'status', '--json', ...args], env);
      expect(JSON.parse(json.stdout)).toEqual([
        expect.objectContaining({
          state: 'paused',
          health: 'paused',
          lagEvents: 1,
          paused: { at: expect.any(String), by: operator },
        }),
      ]);
      await heartbeats(3);
      expect(batches).toBe(before);
      expect(await items()).toBe(6);

      const resume = await runDuet(['projections', 'resume', 'items_per_order', ...args], env);
      expect(resume.code).toBe(0);
      expect(resume.stdout).toMatch(/^resumed items_per_order \(paused by .+ since .+Z\)\n$/);
      await until(app.status, (s) => s.state === 'live' && s.lagEvents === 0);
      expect(await items()).toBe(7);
      const live = await runDuet(['projections', 'status', '--json', ...args], env);
      expect(JSON.parse(live.stdout)).toEqual([
        expect.objectContaining({ state: 'live', health: 'healthy', lagEvents: 0 }),
      ]);
    } finally {
      await app.stop();
      await store.close();
      await db.executor.query(`DROP SCHEMA IF EXISTS "${runnerSchema}" CASCADE`);
      await db.executor.query(`DROP SCHEMA IF EXISTS "${readModelSchema}" CASCADE`);
      await db.dispose();
    }
  }, 120_000);
});

/**
 * Resolves once the runners have renewed their heartbeat `beats` more times: each beat
 * comes with a re-read of the pauses, and the workers have polled at least as often.
 */
async function afterHeartbeats(
  executor: SqlExecutor,
  runnerSchema: string,
  beats: number,
): Promise<void> {
  const read = async () => {
    const { rows } = await executor.query<{ at: string | null }>(
      `SELECT max(heartbeat_at)::text AS at FROM "${runnerSchema}".owners`,
    );
    return rows[0]?.at ?? null;
  };
  let last = await read();
  for (let seen = 0; seen < beats; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await read();
    if (now !== last) {
      seen += 1;
      last = now;
    }
  }
}

/** A promise and the function that resolves it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Polls `status` until `check` holds for every row, or fails after 20 s. */
async function until(
  status: () => Promise<ProjectionStatus[]>,
  check: (s: ProjectionStatus) => boolean,
): Promise<ProjectionStatus[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await status();
    if (rows.length > 0 && rows.every(check)) return rows;
    if (Date.now() > deadline) throw new Error(`status did not settle: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
