import { randomBytes } from 'node:crypto';
import { runAsSystem, runInTenant } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../test-support/stress.ts';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
import { migrate } from '../migrations/migrate.ts';
import { eventsChannel } from '../schema-name.ts';
import { startPgFaultProxy } from '../testing/pg-fault-proxy.ts';
import { createPgExecutor } from './pg-executor.ts';
import { isolateTenants, TENANT_ROLE } from './tenant-isolated-executor.ts';

const databaseUrl = inject('databaseUrl');

// A pg executor on its own pool keeps a tenant's settings on the connection between
// statements (sessions, issue 14): each statement outside that tenant must first take the
// connection out of it. One connection in the pool makes every statement share it.
describe.runIf(databaseUrl !== null)('tenant sessions on pooled connections', () => {
  async function open(poolSize = 1) {
    const proxy = await startPgFaultProxy(databaseUrl!);
    const base = createPgExecutor({ connectionString: proxy.url, max: poolSize });
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await migrate(base, { schema });
    const executor = isolateTenants(base);
    const store = createPostgresEventStore({ executor, schema });
    const switches = () =>
      proxy.simpleQueries.filter((sql) => sql.includes(`set_config('duet.tenant'`)).length;
    const whoAmI = () =>
      executor.query<{ role: string; tenant: string }>(
        `SELECT current_user AS role, coalesce(current_setting('duet.tenant', true), '') AS tenant`,
      );
    return {
      base,
      executor,
      schema,
      store,
      switches,
      whoAmI,
      async [Symbol.asyncDispose]() {
        await store.close();
        await base.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await base.close();
        await proxy.close();
      },
    };
  }

  it('given one connection, when a tenant, the system and another tenant take turns, then each statement runs as its own scope and sees only its rows', async () => {
    await using db = await open();
    await runInTenant('acme', () => db.store.append('acct-1', [{ type: 'A', data: 'acme' }]));
    await runInTenant('globex', () => db.store.append('acct-1', [{ type: 'A', data: 'globex' }]));

    const system = await runAsSystem(db.whoAmI);
    expect(system.rows[0]).toEqual({ role: expect.not.stringMatching(TENANT_ROLE), tenant: '' });
    expect(
      await runAsSystem(() =>
        db.base.query(`SELECT count(*)::int AS n FROM "${db.schema}".events`),
      ),
    ).toEqual({ rows: [{ n: 2 }] });

    const acme = await runInTenant('acme', db.whoAmI);
    expect(acme.rows[0]).toEqual({ role: TENANT_ROLE, tenant: 'acme' });
    const read = async (tenant: string) => {
      const events: unknown[] = [];
      await runInTenant(tenant, async () => {
        for await (const event of db.store.readStream('acct-1')) events.push(event.data);
      });
      return events;
    };
    expect(await read('acme')).toEqual(['acme']);
    expect(await read('globex')).toEqual(['globex']);
    // The unscoped executor underneath is the system's too, after a tenant used the connection.
    await runInTenant('acme', db.whoAmI);
    const plain = await db.base.query<{ role: string }>('SELECT current_user AS role');
    expect(plain.rows[0]?.role).not.toBe(TENANT_ROLE);
  });

  it('given a tenant already in its session, when it runs more statements, then the connection is not switched again', async () => {
    await using db = await open();
    await runInTenant('acme', db.whoAmI);
    const before = db.switches();
    for (let i = 0; i < 5; i++) await runInTenant('acme', db.whoAmI);
    await runInTenant('acme', () => db.store.append('acct-1', [{ type: 'A', data: 1 }]));
    expect(db.switches()).toBe(before);
    await runAsSystem(db.whoAmI);
    expect(db.switches()).toBe(before + 1);
  });

  it("given a tenant appending on one connection, when the store's NOTIFY after each commit runs, then it runs in the tenant's session (no switch out and back) and still wakes a listener", async () => {
    await using db = await open();
    const payloads: string[] = [];
    const stop = await db.base.listen(eventsChannel(db.schema), (payload) => {
      if (payload !== null) payloads.push(payload);
    });
    try {
      await runInTenant('acme', db.whoAmI);
      const before = db.switches();
      let last = '';
      for (let i = 0; i < 5; i++) {
        ({ position: last } = await runInTenant('acme', () =>
          db.store.append('acct-1', [{ type: 'A', data: i }]),
        ));
        // Each append's NOTIFY is sent before the next append (one connection, in turn).
        await waitUntil(async () => payloads.includes(last));
      }
      await runInTenant('acme', db.whoAmI);
      // The NOTIFYs ran on the connection as it was: in the tenant's session.
      expect(db.switches()).toBe(before);
    } finally {
      await stop();
    }
  });

  it("given three idle connections in three tenants' sessions, when the tenants take turns one statement at a time, then each takes the connection already in its session and nothing switches", async () => {
    await using db = await open(3);
    const tenants = ['acme', 'globex', 'initech'];
    // Three transactions at once hold the three connections, one per tenant.
    let arrived = 0;
    let allIn!: () => void;
    const gate = new Promise<void>((resolve) => {
      allIn = resolve;
    });
    await Promise.all(
      tenants.map((tenant) =>
        runInTenant(tenant, () =>
          db.executor.transaction(async (tx) => {
            await tx.query('SELECT 1');
            if (++arrived === tenants.length) allIn();
            await gate;
          }),
        ),
      ),
    );
    const before = db.switches();
    for (let round = 0; round < 3; round++) {
      for (const tenant of tenants) {
        const { rows } = await runInTenant(tenant, db.whoAmI);
        expect(rows[0]).toEqual({ role: TENANT_ROLE, tenant });
      }
    }
    expect(db.switches()).toBe(before);
  });

  it('given a statement that fails in a tenant session, when the system runs next, then it runs as the system (the failed connection was not reused)', async () => {
    await using db = await open();
    await expect(runInTenant('acme', () => db.executor.query('SELECT 1/0'))).rejects.toThrow();
    const system = await runAsSystem(db.whoAmI);
    expect(system.rows[0]?.tenant).toBe('');
    expect(system.rows[0]?.role).not.toBe(TENANT_ROLE);
  });

  it("given a tenant transaction that rolls back after switching its settings, when another tenant runs next, then the session is the new tenant's", async () => {
    await using db = await open();
    await expect(
      runInTenant('acme', () =>
        db.executor.transaction(async (tx) => {
          await tx.query(`SELECT set_config('duet.tenant', 'globex', true)`);
          throw new Error('rolled back');
        }),
      ),
    ).rejects.toThrow('rolled back');
    expect((await runInTenant('initech', db.whoAmI)).rows[0]).toEqual({
      role: TENANT_ROLE,
      tenant: 'initech',
    });
    expect((await runInTenant('acme', db.whoAmI)).rows[0]).toEqual({
      role: TENANT_ROLE,
      tenant: 'acme',
    });
  });

  it('given 3 connections and 200 statements of 4 tenants and the system at once, then every statement runs in its own scope', async () => {
    await using db = await open(3);
    const scopes = ['acme', 'globex', 'initech', 'umbrella', null] as const;
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const tenant = scopes[i % scopes.length] as (typeof scopes)[number];
        const { rows } = await (tenant === null
          ? runAsSystem(db.whoAmI)
          : runInTenant(tenant, db.whoAmI));
        return { want: tenant ?? '', got: rows[0]!.tenant, role: rows[0]!.role };
      }),
    );
    for (const answer of answers) {
      expect(answer.got).toBe(answer.want);
      expect(answer.role === TENANT_ROLE).toBe(answer.want !== '');
    }
  });
});
