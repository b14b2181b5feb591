import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPGliteExecutor, createPostgresEventStore, migrate } from '@duet/postgres';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDuet, startDuet } from '../test-support/run-duet.ts';
import { seedEvents } from '../test-support/seed-events.ts';
import { ExitCode } from './exit-code.ts';

// Issue 5: the real `duet` binary against a PGlite data directory. Only one process may
// open the directory, so the test seeds it, closes it, and only then runs the CLI.

const config = new URL('../test-support/order-config.ts', import.meta.url).pathname;

// Generous timeouts: each test spawns processes, and a loaded machine slows them down.
describe('duet on PGlite', { timeout: 90_000 }, () => {
  let root: string;
  let dir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'duet-cli-'));
    dir = join(root, 'pglite');
    const db = await PGlite.create({ dataDir: dir });
    const executor = createPGliteExecutor(db);
    await migrate(executor, { schema: 'shop' });
    const store = createPostgresEventStore({ executor, schema: 'shop' });
    await seedEvents(store);
    await store.close();
    await db.close();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('given a migrated directory, when migrate runs again, then it says there is nothing to apply', async () => {
    const result = await runDuet(['migrate', '--pglite', dir, '--schema', 'shop']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`schema shop on PGlite in ${dir} is up to date: nothing to apply\n`);
  });

  it('when streams are listed a page at a time, then the cursor leads to the next page', async () => {
    const first = await runDuet([
      'streams',
      'list',
      '--pglite',
      dir,
      '--schema',
      'shop',
      '--limit',
      '2',
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/cart-9\s+│ 1 /);
    expect(first.stdout).toMatch(/order-1\s+│ 3 /);
    const cursor = /--after (\S+)/.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();
    const second = await runDuet([
      'streams',
      'list',
      '--pglite',
      dir,
      '--schema',
      'shop',
      '--limit',
      '2',
      '--after',
      cursor!,
      '--json',
    ]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      streams: [
        { stream: 'order-2', category: 'order', version: 2 },
        { stream: 'order-3', version: 2 },
      ],
      nextCursor: null,
    });
  });

  it('when a stream is shown, then the table lists its events and the JSON carries them whole', async () => {
    const table = await runDuet([
      'streams',
      'show',
      'order-1',
      '--pglite',
      dir,
      '--schema',
      'shop',
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^order-1 {2}version 3/);
    expect(table.stdout).toMatch(/│ 2 +│ ItemAdded +│/);
    expect(table.stdout).toContain('{"sku":"pear","quantity":2}');

    const json = await runDuet([
      'streams',
      'show',
      'order-1',
      '--pglite',
      dir,
      '--schema',
      'shop',
      '--json',
    ]);
    const shown = JSON.parse(json.stdout) as {
      events: { type: string; streamVersion: number; position: string }[];
    };
    expect(shown.events.map((e) => [e.streamVersion, e.type])).toEqual([
      [1, 'ItemAdded'],
      [2, 'ItemAdded'],
      [3, 'OrderPlaced'],
    ]);
  });

  it('given a decider in --config, when a stream is shown at a time, then the table is followed by the state then', async () => {
    const now = new Date().toISOString();
    const result = await runDuet([
      'streams',
      'show',
      'order-1',
      '--at',
      now,
      '--config',
      config,
      '--pglite',
      dir,
      '--schema',
      'shop',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`order-1 at ${now}: version 3 of 3`);
    expect(result.stdout).toMatch(/state:\n\{\n {2}"items": 2,\n {2}"status": "placed"\n\}/);
  });

  it('given no --config, when a stream is shown at a version, then it lists the events up to it and says it has no decider', async () => {
    const result = await runDuet([
      'streams',
      'show',
      'order-1',
      '--at',
      '1',
      '--pglite',
      dir,
      '--schema',
      'shop',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as {
      versionThen: number;
      state: unknown;
      events: unknown[];
    };
    expect(shown).toMatchObject({ versionThen: 1, state: null, truncated: false });
    expect(shown.events).toHaveLength(1);
  });

  it('when events tail starts from the start, then it prints the stored events and stops on SIGINT with exit 0', async () => {
    const tail = startDuet([
      'events',
      'tail',
      '--from',
      'start',
      '--type',
      'OrderPlaced',
      '--pglite',
      dir,
      '--schema',
      'shop',
    ]);
    await tail.waitFor('stdout', /OrderPlaced/);
    tail.child.kill('SIGINT');
    const result = await tail.exited;
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^\S+Z {2}order-1@3 {2}OrderPlaced {2}\{"orderId":"1"\}$/),
    ]);
  });

  it('when a stream does not exist, then it exits 3', async () => {
    const result = await runDuet([
      'streams',
      'show',
      'order-404',
      '--pglite',
      dir,
      '--schema',
      'shop',
    ]);
    expect(result.code).toBe(ExitCode.notFound);
  });

  it('when the schema was never migrated, then it exits 5', async () => {
    const result = await runDuet(['streams', 'list', '--pglite', dir, '--schema', 'other']);
    expect(result.code).toBe(ExitCode.notMigrated);
    expect(result.stderr).toContain('schema other has no Duet tables');
  });

  it('when the directory holds no database, then it exits 4 and says how to create one', async () => {
    const missing = join(root, 'missing');
    const result = await runDuet(['streams', 'list', '--pglite', missing]);
    expect(result.code).toBe(ExitCode.unavailable);
    expect(result.stderr).toBe(
      `error: no PGlite database in ${missing}\nhint: create one with: duet migrate --pglite ${missing}\n`,
    );
  });
});
