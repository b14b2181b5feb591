import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDuet, startDuet } from '../test-support/run-duet.ts';
import { seedEvents } from '../test-support/seed-events.ts';
import { ExitCode } from './exit-code.ts';

// Issue 5: the real `duet` binary against PostgreSQL, on a fresh schema per file.

const databaseUrl = inject('databaseUrl');
const config = new URL('../test-support/order-config.ts', import.meta.url).pathname;

describe.skipIf(databaseUrl === null)('duet on PostgreSQL', { timeout: 90_000 }, () => {
  let db: TestDatabase;
  let args: string[];

  beforeAll(async () => {
    db = await openTestDatabase({ kind: 'postgres', url: databaseUrl!, migrate: false });
    args = ['--database-url', databaseUrl!, '--schema', db.schema];
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('given an empty schema, when a command reads it, then it exits 5 (not migrated) with a hint', async () => {
    const result = await runDuet(['streams', 'list', ...args]);
    expect(result.code).toBe(ExitCode.notMigrated);
    expect(result.stderr).toContain(`schema ${db.schema} has no Duet tables`);
    expect(result.stderr).toContain(`duet migrate --schema ${db.schema}`);
    expect(result.stdout).toBe('');
  });

  it('given an empty schema, when migrate runs twice, then it lists what it applied and then says nothing is left', async () => {
    const first = await runDuet(['migrate', ...args]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 001-events/);
    expect(first.stdout).toMatch(/applied 004-checkpoints/);
    const second = await runDuet(['migrate', ...args, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ schema: db.schema, applied: [] });
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await seedEvents(store);
    await store.close();
  });

  it('when streams are listed, then the table and the JSON list them with their versions', async () => {
    const table = await runDuet(['streams', 'list', ...args]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/STREAM\s+│ VERSION/);
    expect(table.stdout).toMatch(/order-1\s+│ 3 /);
    expect(table.stdout).not.toContain('\u001b['); // not a terminal: no colour codes

    const json = await runDuet(['streams', 'list', '--category', 'order', '--json', ...args]);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as { streams: { stream: string; version: number }[] };
    expect(page.streams.map((s) => [s.stream, s.version])).toEqual([
      ['order-1', 3],
      ['order-2', 2],
      ['order-3', 2],
    ]);
  });

  it('given a stream, when shown at a version with a decider in --config, then it prints the state then', async () => {
    const result = await runDuet([
      'streams',
      'show',
      'order-1',
      '--at',
      '2',
      '--config',
      config,
      '--json',
      ...args,
    ]);
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({
      stream: 'order-1',
      version: 3,
      versionThen: 2,
      state: { items: 2, status: 'cart' },
    });
    expect((shown.events as unknown[]).length).toBe(2);
  });

  it('when a stream that does not exist is shown, then it exits 3', async () => {
    const result = await runDuet(['streams', 'show', 'order-404', ...args]);
    expect(result.code).toBe(ExitCode.notFound);
    expect(result.stderr.trim().split('\n')[0]).toBe('error: stream order-404 not found');
  });

  it('given events tail is following, when an event is appended, then it prints it as one JSON line, and SIGINT stops it with exit 0', async () => {
    const tail = startDuet(['events', 'tail', '--category', 'order', '--json', ...args]);
    await tail.waitFor('stderr', /following/);
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    await store.append('cart-9', [{ type: 'CartClosed', data: {} }]); // another category
    await store.append('order-2', [{ type: 'OrderPlaced', data: { orderId: '2' } }]);
    await store.close();
    await tail.waitFor('stdout', /OrderPlaced/);
    tail.child.kill('SIGINT');
    const result = await tail.exited;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { stream: string; type: string });
    expect(lines).toEqual([expect.objectContaining({ stream: 'order-2', type: 'OrderPlaced' })]);
    expect(result.stderr).toContain('stopped');
  });

  it('given an unreachable server, when a command runs, then it exits 4 with one line', async () => {
    const result = await runDuet([
      'streams',
      'list',
      '--database-url',
      'postgres://root@127.0.0.1:1/test',
    ]);
    expect(result.code).toBe(ExitCode.unavailable);
    expect(result.stderr).toMatch(
      /^error: cannot connect to PostgreSQL postgres:\/\/root@127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack without --verbose
  });
});
