import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPGliteExecutor, migrate } from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExitCode } from './exit-code.ts';
import { runDuet, startDuet } from './test-support/run-duet.ts';
import { seedTenants } from './test-support/seed-tenants.ts';

// docs/tenants.md: `--tenant` makes the reading commands see one tenant's streams, through
// `isolateTenants` (PostgreSQL's row policies), on both backends. Two tenants share the
// stream name order-1; without --tenant the CLI reads the tenant '' and finds neither.

const databaseUrl = inject('databaseUrl');

interface Shown {
  readonly version: number;
  readonly events: { readonly data: { readonly sku: string } }[];
}
const skus = (stdout: string) => (JSON.parse(stdout) as Shown).events.map((e) => e.data.sku);

function tenantSuite(backend: () => string[]) {
  it('given two tenants with the same stream name, when order-1 is shown with --tenant, then each sees its own events only', async () => {
    const a = await runDuet([
      'streams',
      'show',
      'order-1',
      '--tenant',
      'a',
      '--json',
      ...backend(),
    ]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ stream: 'order-1', version: 2 });
    expect(skus(a.stdout)).toEqual(['a-apple', 'a-pear']);

    const b = await runDuet(['streams', 'show', 'order-1', '--json', ...backend()], {
      DUET_TENANT: 'b',
    });
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ stream: 'order-1', version: 1 });
    expect(skus(b.stdout)).toEqual(['b-plum']);
  });

  it("given no --tenant, when order-1 is shown, then it is not found: the CLI reads tenant ''", async () => {
    const none = await runDuet(['streams', 'show', 'order-1', ...backend()]);
    expect(none.code).toBe(ExitCode.notFound);
    expect(none.stdout).toBe('');
    const cart = await runDuet(['streams', 'show', 'cart-0', '--json', ...backend()]);
    expect(cart.code).toBe(0);
  });

  it("when streams are listed with --tenant, then only that tenant's streams are listed", async () => {
    const listed = await runDuet(['streams', 'list', '--tenant', 'b', '--json', ...backend()]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      streams: [{ stream: 'order-1', version: 1 }],
      nextCursor: null,
    });
  });

  it('given a bad tenant name, or --tenant on a command that works across tenants, then it exits 2 (usage)', async () => {
    const bad = await runDuet(['streams', 'show', 'order-1', '--tenant', 'a b', ...backend()]);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toContain('--tenant "a b" is not a tenant name');
    const system = await runDuet(['projections', 'status', '--tenant', 'a', ...backend()]);
    expect(system.code).toBe(ExitCode.usage);
    expect(system.stderr).toContain('--tenant does not apply to duet projections');
  });
}

describe('duet --tenant on PGlite', { timeout: 90_000 }, () => {
  let root: string;
  let dir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'duet-cli-tenant-'));
    dir = join(root, 'pglite');
    const db = await PGlite.create({ dataDir: dir });
    const executor = createPGliteExecutor(db);
    await migrate(executor, { schema: 'shop' });
    await seedTenants(executor, 'shop');
    await db.close();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  tenantSuite(() => ['--pglite', dir, '--schema', 'shop']);
});

describe.skipIf(databaseUrl === null)('duet --tenant on PostgreSQL', { timeout: 90_000 }, () => {
  let db: TestDatabase;
  const args = () => ['--database-url', databaseUrl!, '--schema', db.schema];

  beforeAll(async () => {
    db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    await seedTenants(db.executor, db.schema);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  tenantSuite(args);

  it("when events are tailed from the start with --tenant, then only that tenant's events come", async () => {
    const tail = startDuet([
      'events',
      'tail',
      '--from',
      'start',
      '--tenant',
      'a',
      '--json',
      ...args(),
    ]);
    try {
      await tail.waitFor('stdout', /a-pear/);
      await tail.waitFor('stderr', /tenant a/);
    } finally {
      tail.child.kill('SIGINT');
    }
    const result = await tail.exited;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((e) => [e.stream, e.data.sku])).toEqual([
      ['order-1', 'a-apple'],
      ['order-1', 'a-pear'],
    ]);
  });
});
