import { newEventId, runInTenant } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { isolateTenants } from '../executor/tenant-isolated-executor.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

// Issue 14 (bench append --tenants, --shapes command): an append that carries event ids
// (every command through the command bus does) probes the events table for each id. Under
// row-level security the probe's `found.id = (x.value->>'id')::uuid` applies functions that
// are not leakproof to a column, so PostgreSQL ran the policy first and filtered every row
// of the tenant by id: 17 ms per append at 30,000 events of one tenant, 56 commands/s
// where the plain executor did 2,000. The probe must stay an index look-up for a tenant.

const TENANT_EVENTS = 20_000;

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('append id probe under row-level security', () => {
  it(`given a tenant with ${TENANT_EVENTS} events, when it appends with event ids, then the probe fetches a handful of rows, not the tenant's`, async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
    const { executor, schema } = db;
    await executor.query(
      `INSERT INTO "${schema}".events
         (tenant, id, stream, stream_version, category, type, schema_version, data, metadata,
          recorded_at, append_index, append_size)
       SELECT 'acme', gen_random_uuid(), 'old-' || g, 1, 'old', 'Noted', 1, '{"n":1}', '{}',
              now(), 0, 1
         FROM generate_series(1, $1::integer) AS g`,
      [TENANT_EVENTS],
    );
    await executor.query(`ANALYZE "${schema}".events`);
    const store = createPostgresEventStore({ executor: isolateTenants(executor), schema });

    const fetched = await runInTenant('acme', () =>
      store.transaction(async (tx) => {
        await tx.append('order-1', [
          { type: 'Noted', data: { n: 1 }, id: newEventId() },
          { type: 'Noted', data: { n: 2 }, id: newEventId() },
        ]);
        // Rows this transaction fetched from the events table so far.
        const { rows } = await tx.query<{ n: number }>(
          `SELECT pg_stat_get_xact_tuples_fetched('"${schema}".events'::regclass)::integer AS n`,
        );
        return rows[0]!.n;
      }),
    );
    await store.close();

    expect(fetched).toBeLessThan(100);
  });
});
