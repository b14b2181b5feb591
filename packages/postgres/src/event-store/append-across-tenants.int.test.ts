import { ConcurrencyError, DuplicateEventError, newEventId, runInTenant } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../test-support/stress.ts';
import { createPgExecutor } from '../executor/pg-executor.ts';
import { isolateTenants } from '../executor/tenant-isolated-executor.ts';
import { ALL_MIGRATIONS } from '../migrations/all-migrations.ts';
import { migrate } from '../migrations/migrate.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

// On a tenant-isolated executor the appends of several tenants made together go in one
// transaction (append_events_across_tenants, migration 010), each still written as its
// own tenant; a schema without the function gets one transaction per tenant, as before.

const databaseUrl = inject('databaseUrl');
const backends = [
  { kind: 'pglite' as const },
  ...(databaseUrl === null ? [] : [{ kind: 'postgres' as const, url: databaseUrl }]),
];

const added = (n: number) => ({ type: 'Added', data: { n } });
const txIdOf = (position: string) => position.split('-')[0];

interface StoredRow {
  readonly tenant: string;
  readonly stream: string;
  readonly stream_version: string;
  readonly tx_id: string;
}

async function open(backend: (typeof backends)[number], migrations = ALL_MIGRATIONS) {
  const db = await openTestDatabase({ ...backend, migrate: false });
  await migrate(db.executor, { schema: db.schema }, migrations);
  const executor = isolateTenants(db.executor);
  const store = createPostgresEventStore({ executor, schema: db.schema });
  /** Every stored event, across tenants (the connecting role sees them all). */
  const rows = async () =>
    (
      await db.executor.query<StoredRow>(
        `SELECT tenant, stream, stream_version::text, tx_id::text FROM "${db.schema}".events ORDER BY tx_id, seq`,
      )
    ).rows;
  return {
    db,
    executor,
    store,
    rows,
    async [Symbol.asyncDispose]() {
      await store.close();
      await db.dispose();
    },
  };
}

describe.each(backends)('appends across tenants on $kind', (backend) => {
  it('given three tenants appending to the same stream names together, when the batch commits, then it is one transaction and each tenant has its own streams and versions', async () => {
    await using fx = await open(backend);
    const tenants = ['acme', 'globex', 'initech'];
    const results = await Promise.all(
      tenants.flatMap((tenant, t) =>
        ['stock-1', 'order-1'].map((stream) =>
          runInTenant(tenant, () => fx.store.append(stream, [added(t), added(t + 10)])),
        ),
      ),
    );
    expect(results.map((result) => result.streamVersion)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(new Set(results.map((result) => txIdOf(result.position))).size).toBe(1);
    const stored = await fx.rows();
    expect(stored).toHaveLength(12);
    for (const tenant of tenants) {
      expect(stored.filter((row) => row.tenant === tenant).map((row) => row.stream)).toEqual([
        'order-1',
        'order-1',
        'stock-1',
        'stock-1',
      ]);
      const read = await runInTenant(tenant, async () => {
        const events = [];
        for await (const event of fx.store.readStream('stock-1')) events.push(event);
        return events;
      });
      expect(read.map((event) => event.data)).toEqual([
        { n: tenants.indexOf(tenant) },
        { n: tenants.indexOf(tenant) + 10 },
      ]);
    }
  });

  it("given one tenant's append conflicting inside a batch across tenants, then only that append fails and the other tenants' appends commit", async () => {
    await using fx = await open(backend);
    await runInTenant('globex', () => fx.store.append('stock-1', [added(0)]));
    const settled = await Promise.allSettled(
      ['acme', 'globex', 'initech'].map((tenant) =>
        runInTenant(tenant, () =>
          fx.store.append('stock-1', [added(1)], { expectedVersion: 'no_stream' }),
        ),
      ),
    );
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = (settled[1] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ expected: 'no_stream', actual: 1 });
    const [acme, initech] = [settled[0], settled[2]].map(
      (result) => (result as PromiseFulfilledResult<{ position: string }>).value.position,
    );
    expect(txIdOf(acme!)).toBe(txIdOf(initech!));
    expect((await fx.rows()).map((row) => `${row.tenant}:${row.stream_version}`).sort()).toEqual([
      'acme:1',
      'globex:1',
      'initech:1',
    ]);
  });

  it('given two tenants appending the same event id in one batch beside a third tenant, then one of the two is stored, the other gets DuplicateEventError, and the third is stored', async () => {
    await using fx = await open(backend);
    const id = newEventId();
    const settled = await Promise.allSettled([
      runInTenant('acme', () => fx.store.append('stock-1', [{ ...added(1), id }])),
      runInTenant('globex', () => fx.store.append('stock-1', [{ ...added(2), id }])),
      runInTenant('initech', () => fx.store.append('stock-1', [added(3)])),
    ]);
    const [acme, globex, initech] = settled.map((result) => result.status);
    expect([acme, globex].sort()).toEqual(['fulfilled', 'rejected']);
    expect(initech).toBe('fulfilled');
    const refused = settled.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DuplicateEventError);
    expect((await fx.rows()).map((row) => row.tenant).sort()).toEqual(
      [acme === 'fulfilled' ? 'acme' : 'globex', 'initech'].sort(),
    );
  });

  it("given a tenant's own statement, when it calls append_events_across_tenants for another tenant, then it is refused and nothing is stored", async () => {
    await using fx = await open(backend);
    const batch = {
      locks: ['stock-1'],
      tenants: [
        {
          tenant: 'globex',
          appends: [
            {
              stream: 'stock-1',
              category: 'stock',
              expected: 'any',
              at: new Date().toISOString(),
              checkIds: false,
              events: [
                {
                  id: crypto.randomUUID(),
                  type: 'Added',
                  schemaVersion: 1,
                  data: { n: 1 },
                  metadata: {},
                },
              ],
            },
          ],
        },
      ],
    };
    await expect(
      runInTenant('acme', () =>
        fx.executor.query(
          `SELECT * FROM "${fx.db.schema}".append_events_across_tenants($1::jsonb, false)`,
          [JSON.stringify(batch)],
        ),
      ),
    ).rejects.toMatchObject({ code: '42501' });
    expect(await fx.rows()).toEqual([]);
  });

  it('given a schema before migration 010, when three tenants append together, then each tenant commits on its own and every append is stored', async () => {
    await using fx = await open(backend, ALL_MIGRATIONS.slice(0, 9));
    const tenants = ['acme', 'globex', 'initech'];
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(
        tenants.map((tenant, t) =>
          runInTenant(tenant, () => fx.store.append('stock-1', [added(t)])),
        ),
      );
      expect(results.map((result) => result.streamVersion)).toEqual([
        round + 1,
        round + 1,
        round + 1,
      ]);
    }
    const stored = await fx.rows();
    expect(stored).toHaveLength(6);
    // One transaction per tenant and round: nothing went across tenants.
    expect(new Set(stored.map((row) => row.tx_id)).size).toBe(6);
  });
});

describe.runIf(databaseUrl !== null)('appends across tenants: locks before writes', () => {
  it("given another session holding a later tenant's stream lock, when a batch across tenants waits for it, then the batch has written nothing yet (no transaction id), and it commits once the lock is released", async () => {
    await using fx = await open({ kind: 'postgres', url: databaseUrl! });
    const holder = createPgExecutor({ connectionString: databaseUrl!, max: 1 });
    try {
      // Stream 'b-1' of tenant globex sorts after acme's 'a-1': a batch that locked each
      // tenant's streams only when it reached that tenant would write acme's event (and
      // take its transaction id) before waiting here.
      const lockKey = `hashtextextended('duet.stream.${fx.db.schema}.b-1', 0)`;
      let appends: Promise<unknown> | undefined;
      await holder.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(${lockKey})`);
        appends = Promise.all([
          runInTenant('acme', () => fx.store.append('a-1', [added(1)])),
          runInTenant('globex', () => fx.store.append('b-1', [added(2)])),
        ]);
        let waiting: { pid: number; backend_xid: string | null; query: string } | undefined;
        await waitUntil(
          async () => {
            // Not on the holder's transaction: it would keep its first copy of pg_stat_activity.
            // Only this schema's statements: other test files wait on advisory locks too.
            const { rows } = await fx.db.executor.query<{
              pid: number;
              backend_xid: string | null;
              query: string;
            }>(
              `SELECT a.pid, a.backend_xid::text, a.query
                 FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()
                  AND strpos(a.query, $1) > 0`,
              [`"${fx.db.schema}".`],
            );
            waiting = rows[0];
            return waiting !== undefined;
          },
          { what: () => 'the batch to wait for the stream lock' },
        );
        expect(waiting!.query).toContain('append_events_across_tenants');
        expect(waiting!.backend_xid).toBeNull();
      });
      // The lock went with the holder's transaction: the batch commits both appends.
      await appends;
      const rows = await fx.rows();
      expect(rows.map((row) => `${row.tenant}:${row.stream}`)).toEqual(['acme:a-1', 'globex:b-1']);
      expect(new Set(rows.map((row) => row.tx_id)).size).toBe(1);
    } finally {
      await holder.close();
    }
  });
});
