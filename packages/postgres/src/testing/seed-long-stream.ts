import { type NewEvent, runAsSystem, runInTenant } from '@duet/core';
import { createPostgresEventStore } from '../event-store/postgres-event-store.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { isolateTenants } from '../executor/tenant-isolated-executor.ts';

/** What `seedLongStream` writes. */
export interface LongStreamSeed {
  /** The event store's schema (migrated). */
  readonly schema: string;
  readonly stream: string;
  /** Appended once through the store, then copied until the stream has `events`. */
  readonly template: readonly NewEvent[];
  /** The stream's length: a multiple of the template's. */
  readonly events: number;
  /** The tenant the stream belongs to [none: the system's rows]. */
  readonly tenant?: string;
}

/**
 * Fills a new stream with a million events in seconds, for memory and paging tests: one
 * real append of `template` through the store (as `tenant` when given), then copies of
 * its rows made by one `INSERT ... SELECT`. Every column the store wrote is copied, so
 * the seed follows the store's schema as it changes; only `id` and `stream_version` are
 * new. Each copy looks like the same append made again. `executor` must be able to
 * write every tenant's rows (the migrating role, not a tenant-isolated one).
 *
 * @example
 * await seedLongStream(db.executor, { schema: db.schema, stream: 'ledger-1', template, events: 1_000_000 });
 */
export async function seedLongStream(executor: SqlExecutor, seed: LongStreamSeed): Promise<void> {
  const { schema, stream, template, events } = seed;
  if (template.length === 0 || events % template.length !== 0) {
    throw new RangeError(
      `seedLongStream: events (${events}) must be a multiple of the template's length (${template.length})`,
    );
  }
  const appendTemplate = async (writer: SqlExecutor) => {
    const store = createPostgresEventStore({ executor: writer, schema });
    try {
      await store.append(stream, template, { expectedVersion: 'no_stream' });
    } finally {
      await store.close();
    }
  };
  if (seed.tenant === undefined) await runAsSystem(() => appendTemplate(executor));
  else await runInTenant(seed.tenant, () => appendTemplate(isolateTenants(executor)));

  const { rows } = await executor.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = 'events'
        AND column_name NOT IN ('id', 'stream_version', 'seq', 'tx_id')
      ORDER BY ordinal_position`,
    [schema],
  );
  const copied = rows.map((row) => `"${row.name}"`);
  const tenant = seed.tenant ?? '';
  await executor.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO "${schema}".events (id, stream_version, ${copied.join(', ')})
       SELECT gen_random_uuid(), copy.n * $2::bigint + t.stream_version,
              ${copied.map((column) => `t.${column}`).join(', ')}
         FROM generate_series(1, $3::bigint - 1) AS copy(n)
        CROSS JOIN (SELECT * FROM "${schema}".events WHERE stream = $1 AND tenant = $4) AS t
        ORDER BY copy.n, t.stream_version`,
      [stream, template.length, events / template.length, tenant],
    );
    await tx.query(
      `UPDATE "${schema}".streams SET version = $2 WHERE stream = $1 AND tenant = $3`,
      [stream, events, tenant],
    );
  });
  // No ANALYZE on purpose (autovacuum is off on the test server): readStream's page query
  // must stay O(page) on a table without statistics (read-stream-plan.int.test.ts).
}
