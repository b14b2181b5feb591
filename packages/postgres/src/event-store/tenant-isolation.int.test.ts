import {
  DuplicateEventError,
  defineProjection,
  type RecordedEvent,
  runAsSystem,
  runInTenant,
  TenantRequiredError,
} from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { backendsFor } from '../../test-support/processor-runner.ts';
import { isolateTenants, TENANT_ROLE } from '../executor/tenant-isolated-executor.ts';
import { createPostgresIdempotencyStore } from '../idempotency/postgres-idempotency-store.ts';
import { migrate } from '../migrations/migrate.ts';
import { openProcessors } from '../processors/open-processors.ts';
import { isolateTenantRows, TENANT_COLUMN } from '../read-models/tenant-rows.ts';
import { createPostgresSnapshotStore } from '../snapshot-store/postgres-snapshot-store.ts';
import { openTestDatabase } from '../testing/open-test-database.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

const databaseUrl = inject('databaseUrl');

const deposit = (amount: number, note: string) => ({
  type: 'Deposited',
  data: { amount, note },
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Balances per tenant and stream: a read model whose rows are isolated by tenant. */
// #region tenant-read-model
const balances = defineProjection({
  name: 'balances',
  events: ['Deposited'],
  async setup(tx, tables) {
    await tx.query(
      `CREATE TABLE ${tables.name('balances')} (${TENANT_COLUMN}, stream text, balance bigint NOT NULL, PRIMARY KEY (tenant, stream))`,
    );
    await isolateTenantRows(tx, tables.name('balances'));
  },
  async apply(tx, events: readonly RecordedEvent[], tables) {
    for (const event of events) {
      const { amount } = event.data as { amount: number };
      await tx.query(
        `INSERT INTO ${tables.name('balances')} AS b (stream, balance) VALUES ($1, $2)
         ON CONFLICT (tenant, stream) DO UPDATE SET balance = b.balance + excluded.balance`,
        [event.stream, amount],
      );
    }
  },
});
// #endregion tenant-read-model

describe.each(backendsFor(databaseUrl))('tenant isolation on $kind', (backend) => {
  async function open() {
    const db = await openTestDatabase(backend);
    // #region isolate-tenants
    const executor = isolateTenants(db.executor);
    const store = createPostgresEventStore({ executor, schema: db.schema });
    // #endregion isolate-tenants
    return {
      db,
      executor,
      store,
      async [Symbol.asyncDispose]() {
        await store.close();
        await db.dispose();
      },
    };
  }

  it('given two tenants writing the same stream name, then each has its own stream, versions and reads', async () => {
    await using fx = await open();
    const { store } = fx;
    // #region run-in-tenant
    await runInTenant('acme', () => store.append('stock-sku1', [deposit(1, 'acme-1')]));
    await runInTenant('globex', () =>
      store.append('stock-sku1', [deposit(10, 'globex-1'), deposit(20, 'globex-2')]),
    );
    const second = await runInTenant('acme', () =>
      store.append('stock-sku1', [deposit(2, 'acme-2')], { expectedVersion: 1 }),
    );
    expect(second.streamVersion).toBe(2);
    // #endregion run-in-tenant

    const acme = await runInTenant('acme', () => collect(store.readStream('stock-sku1')));
    expect(acme.map((e) => (e.data as { note: string }).note)).toEqual(['acme-1', 'acme-2']);
    expect(acme.every((e) => e.metadata.tenant === 'acme')).toBe(true);
    const globexAll = await runInTenant('globex', () => collect(store.readAll()));
    expect(globexAll.map((e) => (e.data as { note: string }).note)).toEqual([
      'globex-1',
      'globex-2',
    ]);
    expect(await runInTenant('globex', () => store.streamInfo('stock-sku1'))).toMatchObject({
      version: 2,
    });
    expect(await runInTenant('initech', () => store.streamInfo('stock-sku1'))).toBeNull();

    // The system reads the whole log, each event naming its tenant.
    const all = await runAsSystem(() => collect(store.readAll()));
    expect(all.map((e) => e.metadata.tenant).sort()).toEqual(['acme', 'acme', 'globex', 'globex']);
  });

  it('given an event id another tenant already stored, when a tenant appends with it, then a DuplicateEventError naming only that id, and nothing is stored', async () => {
    await using fx = await open();
    const { store, db } = fx;
    const id = '0190a4c2-3b8e-7c1d-9f00-000000000001';
    await runInTenant('acme', () => store.append('acct-9', [{ ...deposit(1, 'acme'), id }]));
    const refused = await runInTenant('globex', () =>
      store.append('acct-9', [{ ...deposit(1, 'acme'), id }]).catch((error: unknown) => error),
    );
    expect(refused).toBeInstanceOf(DuplicateEventError);
    expect(refused).toMatchObject({ eventId: id, stream: 'acct-9' });
    expect((refused as Error).message).not.toContain('acme');
    // The same again in one batch with another tenant-free append beside it.
    const [batched, beside] = await runInTenant('globex', () =>
      Promise.allSettled([
        store.append('acct-9', [{ ...deposit(2, 'globex'), id }]),
        store.append('acct-10', [deposit(3, 'globex')]),
      ]),
    );
    expect(batched.status === 'rejected' && batched.reason).toBeInstanceOf(DuplicateEventError);
    expect(beside.status).toBe('fulfilled');
    expect(await runInTenant('globex', () => store.streamInfo('acct-9'))).toBeNull();
    const { rows } = await db.executor.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM "${db.schema}".events WHERE tenant = 'globex'`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('given two tenants appending to the same stream name at once, then each result names the events its tenant reads back (issue 14)', async () => {
    await using fx = await open();
    const { store } = fx;
    const appendAs = (tenant: string, notes: string[]) =>
      runInTenant(tenant, () =>
        Promise.all(notes.map((note) => store.append('stock-sku1', [deposit(1, note)]))),
      );
    const [acme, globex] = await Promise.all([
      appendAs('acme', ['acme-1', 'acme-2', 'acme-3']),
      appendAs('globex', ['globex-1', 'globex-2']),
    ]);
    for (const [tenant, results] of [
      ['acme', acme],
      ['globex', globex],
    ] as const) {
      const stored = await runInTenant(tenant, () => collect(store.readStream('stock-sku1')));
      const named = [...results].sort((a, b) => a.streamVersion - b.streamVersion);
      expect(stored.map((event) => event.id)).toEqual(named.flatMap((result) => result.ids));
      expect(stored.map((event) => event.position)).toEqual(
        named.flatMap((result) => result.positions),
      );
    }
  });

  it('given no tenant scope, then every store operation throws TenantRequiredError and writes nothing', async () => {
    await using fx = await open();
    const { store, db } = fx;
    await expect(store.append('account-1', [deposit(1, 'x')])).rejects.toBeInstanceOf(
      TenantRequiredError,
    );
    await expect(collect(store.readStream('account-1'))).rejects.toBeInstanceOf(
      TenantRequiredError,
    );
    await expect(collect(store.readAll())).rejects.toBeInstanceOf(TenantRequiredError);
    await expect(store.streamInfo('account-1')).rejects.toBeInstanceOf(TenantRequiredError);
    const { rows } = await db.executor.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM "${db.schema}".events`,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('given the application role with no tenant set, then PostgreSQL itself shows and takes no row', async () => {
    await using fx = await open();
    const { store, db } = fx;
    await runInTenant('acme', () => store.append('account-1', [deposit(1, 'acme')]));
    const table = `"${db.schema}".events`;
    // Straight to the database, past Duet's scope check: the policies alone must hold.
    const seen = await db.executor.transaction(async (tx) => {
      await tx.query(`SELECT set_config('role', $1, true)`, [TENANT_ROLE]);
      const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`);
      return rows[0]?.n;
    });
    expect(seen).toBe(0);
    const insert = db.executor.transaction(async (tx) => {
      await tx.query(`SELECT set_config('role', $1, true)`, [TENANT_ROLE]);
      await tx.query(
        `INSERT INTO ${table} (id, stream, stream_version, category, type, schema_version, data, metadata, recorded_at, append_index, append_size)
         VALUES (gen_random_uuid(), 'account-9', 1, 'account', 'Deposited', 1, '{}', '{}', now(), 0, 1)`,
      );
    });
    await expect(insert).rejects.toThrow(/row-level security/);
    // And another tenant's setting shows another tenant's rows only.
    const other = await db.executor.transaction(async (tx) => {
      await tx.query(
        `SELECT set_config('role', $1, true), set_config('duet.tenant', 'globex', true)`,
        [TENANT_ROLE],
      );
      const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`);
      return rows[0]?.n;
    });
    expect(other).toBe(0);
  });

  it('given the migrated schema, then its tables force row-level security and the application role owns none of them', async () => {
    await using fx = await open();
    const { db } = fx;
    const { rows } = await db.executor.query<{
      relname: string;
      owner: string;
      rls: boolean;
      forced: boolean;
    }>(
      `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner,
              c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r'
          AND c.relname IN ('events', 'streams', 'snapshots', 'idempotency_keys')
        ORDER BY c.relname`,
      [db.schema],
    );
    expect(rows.map((row) => row.relname)).toEqual([
      'events',
      'idempotency_keys',
      'snapshots',
      'streams',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ rls: true, forced: true });
      expect(row.owner).not.toBe(TENANT_ROLE);
    }
  });

  it('given snapshots and idempotency keys of the same stream and key in two tenants, then each tenant gets its own', async () => {
    await using fx = await open();
    const { executor, db } = fx;
    const snapshots = createPostgresSnapshotStore({ executor, schema: db.schema });
    const keys = createPostgresIdempotencyStore({ executor, schema: db.schema });
    for (const tenant of ['acme', 'globex']) {
      await runInTenant(tenant, async () => {
        await snapshots.save({
          stream: 'cart-1',
          streamVersion: 3,
          deciderVersion: 1,
          state: { tenant },
        });
        const claim = await keys.claim('orders', 'key-1', `hash-${tenant}`);
        expect(claim.status).toBe('claimed');
        if (claim.status === 'claimed')
          await keys.complete('orders', 'key-1', claim.token, { tenant });
      });
    }
    for (const tenant of ['acme', 'globex']) {
      await runInTenant(tenant, async () => {
        expect((await snapshots.load('cart-1', 1))?.state).toEqual({ tenant });
        expect(await keys.claim('orders', 'key-1', `hash-${tenant}`)).toEqual({
          status: 'completed',
          result: { tenant },
        });
      });
    }
  });

  it('given a projection over two tenants, then each row is written as its tenant and a tenant query sees its own rows only', async () => {
    await using fx = await open();
    const { store, executor, db } = fx;
    const schema = `${db.schema}_p`;
    const readModelSchema = `${db.schema}_rm`;
    await runAsSystem(() => migrate(executor, { schema, set: 'processors' }));
    const processors = openProcessors({
      store,
      schema,
      readModelSchema,
      processors: [balances],
      pollIntervalMs: 50,
    });
    try {
      await runInTenant('acme', () => store.append('acct-1', [deposit(5, 'a')]));
      await runInTenant('globex', () => store.append('acct-1', [deposit(7, 'g')]));
      const last = await runInTenant('acme', () => store.append('acct-2', [deposit(1, 'a')]));
      await processors.start();
      await processors.waitForPosition({
        projections: ['balances'],
        minPosition: last.position,
        tokens: [],
        timeoutMs: 60_000,
        queryType: 'Balances',
      });
      const read = (tenant: string) =>
        runInTenant(tenant, async () => {
          const model = await processors.readModel('balances');
          const { rows } = await model.executor.query<{
            stream: string;
            balance: string;
            tenant: string;
          }>(
            `SELECT tenant, stream, balance::text AS balance FROM ${model.tables.name('balances')} ORDER BY stream`,
          );
          return rows;
        });
      expect(await read('acme')).toEqual([
        { tenant: 'acme', stream: 'acct-1', balance: '5' },
        { tenant: 'acme', stream: 'acct-2', balance: '1' },
      ]);
      expect(await read('globex')).toEqual([{ tenant: 'globex', stream: 'acct-1', balance: '7' }]);
      expect(await read('initech')).toEqual([]);
      const model = await runAsSystem(() => processors.readModel('balances'));
      // A projection bug that names another tenant's row is refused by the policy.
      const forged = runInTenant('acme', () =>
        executor.query(
          `INSERT INTO ${model.tables.name('balances')} (tenant, stream, balance) VALUES ('globex', 'acct-9', 1)`,
        ),
      );
      await expect(forged).rejects.toThrow(/row-level security/);
    } finally {
      await processors.close();
      await db.executor.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.executor.query(`DROP SCHEMA IF EXISTS "${readModelSchema}" CASCADE`);
    }
  }, 120_000);
});
