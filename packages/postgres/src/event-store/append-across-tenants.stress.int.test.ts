import { ConcurrencyError, runInTenant } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { mulberry32, scaled } from '../../test-support/stress.ts';
import { createPgExecutor } from '../executor/pg-executor.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { isolateTenants } from '../executor/tenant-isolated-executor.ts';
import { openTestDatabase } from '../testing/index.ts';
import { LateAppendError } from './late-append-error.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

// Batches across tenants (migration 010) under contention: writers of several tenants in
// several app processes (stores on executors of their own) race on a few stream names
// that every tenant has, with expected versions, so batches mix tenants, conflict and
// wait for each other's stream locks. Every stream of every tenant must end up with
// contiguous versions, delivered in version order in the global (tx_id, seq) order, and
// exactly the appends that were answered as stored; and no append is refused as late.

const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
const STREAMS = ['stock-1', 'stock-2', 'stock-3'];
const WRITERS_PER_STORE = 16;

const databaseUrl = inject('databaseUrl');
const backends = [
  { kind: 'pglite' as const, stores: 1, appends: scaled(600, 3_000) },
  ...(databaseUrl === null
    ? []
    : [{ kind: 'postgres' as const, url: databaseUrl, stores: 2, appends: scaled(3_000, 20_000) }]),
];

describe.each(backends)('appends across tenants under contention on $kind', (backend) => {
  it(`given ${TENANTS.length} tenants' writers racing on ${STREAMS.length} shared stream names with expected versions, then every tenant's streams hold contiguous versions in global order and exactly the stored appends`, async () => {
    await using db = await openTestDatabase(backend);
    const extra: SqlExecutor[] = Array.from({ length: backend.stores - 1 }, () =>
      createPgExecutor({ connectionString: databaseUrl!, max: 5 }),
    );
    const stores = [db.executor, ...extra].map((executor) =>
      createPostgresEventStore({ executor: isolateTenants(executor), schema: db.schema }),
    );
    try {
      const stored = new Map<string, number>();
      let remaining = backend.appends;
      let conflicts = 0;
      let late = 0;
      const writer = async (storeIndex: number, seed: number) => {
        const random = mulberry32(seed);
        const known = new Map<string, number>();
        while (remaining > 0) {
          remaining--;
          const tenant = TENANTS[Math.floor(random() * TENANTS.length)]!;
          const stream = STREAMS[Math.floor(random() * STREAMS.length)]!;
          const key = `${tenant}:${stream}`;
          const expectedVersion = known.get(key) ?? 'no_stream';
          try {
            const result = await runInTenant(tenant, () =>
              stores[storeIndex]!.append(stream, [{ type: 'Added', data: { seed } }], {
                expectedVersion,
              }),
            );
            known.set(key, result.streamVersion);
            stored.set(key, (stored.get(key) ?? 0) + 1);
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
            if (error instanceof LateAppendError) late++;
            conflicts++;
            known.set(key, Number(error.actual));
          }
        }
      };
      await Promise.all(
        stores.flatMap((_, s) =>
          Array.from({ length: WRITERS_PER_STORE }, (_, w) => writer(s, s * 100 + w + 1)),
        ),
      );

      const { rows } = await db.executor.query<{
        tenant: string;
        stream: string;
        stream_version: number;
        tx_id: string;
      }>(
        `SELECT tenant, stream, stream_version::integer AS stream_version, tx_id::text
           FROM "${db.schema}".events ORDER BY tx_id, seq`,
      );
      const delivered = new Map<string, number[]>();
      const tenantsOfTx = new Map<string, Set<string>>();
      for (const row of rows) {
        const key = `${row.tenant}:${row.stream}`;
        delivered.set(key, [...(delivered.get(key) ?? []), row.stream_version]);
        tenantsOfTx.set(row.tx_id, (tenantsOfTx.get(row.tx_id) ?? new Set()).add(row.tenant));
      }
      for (const [key, versions] of delivered) {
        expect(versions, key).toEqual(versions.map((_, i) => i + 1));
        expect(versions.length, key).toBe(stored.get(key));
      }
      expect([...stored.values()].reduce((a, b) => a + b, 0)).toBe(rows.length);
      expect(rows.length + conflicts).toBe(backend.appends);
      // Every stream lock was taken before the batch's first write, so no append of a
      // batch found a newer transaction ahead of it in its stream.
      expect(late).toBe(0);
      // The race went through batches across tenants, not only one tenant at a time.
      expect([...tenantsOfTx.values()].some((tenants) => tenants.size > 1)).toBe(true);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await Promise.all(extra.map((executor) => executor.close()));
    }
  });
});
