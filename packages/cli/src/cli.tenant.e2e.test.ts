import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventRegistry,
  defineEvent,
  FORGOTTEN,
  PersonalDataForgotten,
  runInTenant,
} from '@duet/core';
import {
  createPGliteExecutor,
  createPostgresEventStore,
  createPostgresPersonalDataKeys,
  isolateTenants,
  migrate,
} from '@duet/postgres';
import { openTestDatabase, type TestDatabase } from '@duet/postgres/testing';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { runDuet, startDuet } from '../test-support/run-duet.ts';
import { seedTenants } from '../test-support/seed-tenants.ts';
import { ExitCode } from './exit-code.ts';

// docs/tenants.md: `--tenant` makes the reading commands see one tenant's streams, through
// `isolateTenants` (PostgreSQL's row policies), on both backends. Two tenants share the
// stream name order-1; without --tenant the CLI reads the tenant '' and finds neither.

const databaseUrl = inject('databaseUrl');

const MemberJoined = defineEvent(
  'MemberJoined',
  z.object({ memberId: z.string(), name: z.string() }),
  { personal: { subject: (data) => `member-${data.memberId}`, fields: ['name'] } },
);
const members = createEventRegistry([MemberJoined, PersonalDataForgotten]);

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

  it("when streams are listed without --tenant, then the streams of tenant '' are listed, none of a named tenant's", async () => {
    const listed = await runDuet(['streams', 'list', '--json', ...backend()]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      streams: [{ stream: 'cart-0', version: 1 }],
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

  it("given two tenants with the same data subject, when it is forgotten with --tenant a, then a's personal data reads as forgotten and b's is intact", async () => {
    const keysSchema = `${db.schema}_keys`;
    try {
      await migrate(db.executor, { schema: keysSchema, set: 'personal-data' });
      const executor = isolateTenants(db.executor);
      const keys = createPostgresPersonalDataKeys({ executor, schema: keysSchema });
      const store = createPostgresEventStore({
        executor,
        schema: db.schema,
        events: members,
        personalData: { keys },
      });
      const join = (tenant: string) =>
        runInTenant(tenant, () =>
          store.append('member-1', [MemberJoined.create({ memberId: '1', name: `${tenant}-ada` })]),
        );
      const nameIn = (tenant: string) =>
        runInTenant(tenant, async () => {
          for await (const event of store.readStream('member-1')) {
            return (event.data as { name: string }).name;
          }
          return undefined;
        });
      await join('a');
      await join('b');

      const forgot = await runDuet([
        'forget',
        'member-1',
        '--tenant',
        'a',
        '--keys-schema',
        keysSchema,
        '--json',
        ...args(),
      ]);
      expect(forgot.stderr).toBe('');
      expect(forgot.code).toBe(0);
      expect(JSON.parse(forgot.stdout)).toMatchObject({ subject: 'member-1', deleted: true });
      expect(await nameIn('a')).toBe(FORGOTTEN);
      expect(await nameIn('b')).toBe('b-ada');
      // The erasure is recorded in a's log only.
      const erasure = await runDuet(
        ['streams', 'show', 'personal_data-member-1', '--json', ...args()],
        { DUET_TENANT: 'b' },
      );
      expect(erasure.code).toBe(ExitCode.notFound);
      await store.close();
    } finally {
      await db.executor.query(`DROP SCHEMA IF EXISTS "${keysSchema}" CASCADE`);
    }
  });

  it("when events are tailed from the start with --tenant, then only that tenant's events come", async () => {
    const tail = startDuet([
      'events',
      'tail',
      '--from',
      'start',
      '--category',
      'order',
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
