import {
  checkSchemaName,
  isolateTenantRows,
  quoteIdentifier,
  type SqlTransaction,
  TENANT_COLUMN,
} from '@duet/postgres';

// The durable timers of the orders service (README.md, "Durable timers"): one row per
// stream and kind, in the orders schema, written in the same transaction as the event
// that asks for it, so a timer exists exactly when its event does and survives restarts.

/** A due timer a poller has leased. `dueAt` is the database's text form, to match it exactly. */
export interface DueTimer {
  /** The tenant whose saga set it (`''`: none); it fires as that tenant. */
  readonly tenant: string;
  readonly stream: string;
  readonly kind: string;
  readonly dueAt: string;
}

// `_v2`: keyed by tenant, so a timer fires in the tenant whose saga set it.
const table = (schema: string) => `${quoteIdentifier(checkSchemaName(schema, 'schema'))}.timers_v2`;

/**
 * Creates the `timers_v2` table and its index in `schema` if missing (idempotent, so every
 * start may run it; the schema must exist: migrate the store first).
 *
 * @example
 * await ensureTimerTable(executor, 'orders');
 */
export async function ensureTimerTable(sql: SqlTransaction, schema: string): Promise<void> {
  const timers = table(schema);
  await sql.query(`CREATE TABLE IF NOT EXISTS ${timers} (
    ${TENANT_COLUMN},
    stream       text        NOT NULL,
    kind         text        NOT NULL,
    due_at       timestamptz NOT NULL,
    locked_until timestamptz,
    PRIMARY KEY (tenant, stream, kind)
  )`);
  await sql.query(`CREATE INDEX IF NOT EXISTS timers_v2_due ON ${timers} (due_at)`);
  await isolateTenantRows(sql, timers);
}

/**
 * Sets a timer, or moves it: one of a kind per stream. Clears any lease, so a poller
 * holding the old due time does not delete the new one (its delete matches `due_at`).
 *
 * @example
 * await scheduleTimer(tx, 'orders', { stream: 'placement-o-1', kind: 'payment-timeout', dueAt: '2030-01-01T00:00:30.000Z' });
 */
export async function scheduleTimer(
  sql: SqlTransaction,
  schema: string,
  timer: Omit<DueTimer, 'tenant'>,
) {
  await sql.query(
    `INSERT INTO ${table(schema)} (stream, kind, due_at) VALUES ($1, $2, $3::timestamptz)
     ON CONFLICT (tenant, stream, kind) DO UPDATE SET due_at = excluded.due_at, locked_until = NULL`,
    [timer.stream, timer.kind, timer.dueAt],
  );
}

/**
 * A stream's timers still to fire (for the console's saga page), soonest first.
 *
 * @example
 * const timers = await timersOf(executor, 'orders', 'placement-o-1'); // [{ kind, dueAt }]
 */
export async function timersOf(
  sql: Pick<SqlTransaction, 'query'>,
  schema: string,
  stream: string,
): Promise<{ kind: string; dueAt: string }[]> {
  const { rows } = await sql.query<{ kind: string; due_at: Date }>(
    `SELECT kind, due_at FROM ${table(schema)} WHERE stream = $1 ORDER BY due_at`,
    [stream],
  );
  return rows.map((row) => ({ kind: row.kind, dueAt: new Date(row.due_at).toISOString() }));
}

/**
 * Removes a stream's timers of these kinds (its saga settled: they no longer matter).
 *
 * @example
 * await cancelTimers(tx, 'orders', 'placement-o-1', ['payment-timeout']);
 */
export async function cancelTimers(
  sql: SqlTransaction,
  schema: string,
  stream: string,
  kinds: readonly string[],
) {
  await sql.query(`DELETE FROM ${table(schema)} WHERE stream = $1 AND kind = ANY($2::text[])`, [
    stream,
    kinds,
  ]);
}

/**
 * Leases up to `limit` timers of `kinds` due at `now`, oldest first, until `leaseUntil`.
 * One statement: `FOR UPDATE SKIP LOCKED` lets pollers in other processes take other rows
 * meanwhile, and the lease keeps them off these after this statement commits.
 *
 * @example
 * const due = await leaseDueTimers(executor, 'orders', { kinds: ['payment-timeout'], now, leaseUntil, limit: 100 });
 */
export async function leaseDueTimers(
  sql: SqlTransaction,
  schema: string,
  options: {
    readonly kinds: readonly string[];
    readonly now: Date;
    readonly leaseUntil: Date;
    readonly limit: number;
  },
): Promise<DueTimer[]> {
  const timers = table(schema);
  const { rows } = await sql.query<{
    tenant: string;
    stream: string;
    kind: string;
    due_at: string;
  }>(
    `UPDATE ${timers} AS t SET locked_until = $2::timestamptz
       FROM (SELECT tenant, stream, kind FROM ${timers}
              WHERE kind = ANY($3::text[]) AND due_at <= $1::timestamptz
                AND (locked_until IS NULL OR locked_until < $1::timestamptz)
              ORDER BY due_at LIMIT $4
              FOR UPDATE SKIP LOCKED) AS due
      WHERE t.tenant = due.tenant AND t.stream = due.stream AND t.kind = due.kind
      RETURNING t.tenant, t.stream, t.kind, t.due_at::text AS due_at`,
    [options.now.toISOString(), options.leaseUntil.toISOString(), options.kinds, options.limit],
  );
  return rows.map((row) => ({
    tenant: row.tenant,
    stream: row.stream,
    kind: row.kind,
    dueAt: row.due_at,
  }));
}

/**
 * Deletes a fired timer, unless it was moved meanwhile (its `due_at` no longer matches).
 *
 * @example
 * await deleteFiredTimer(tx, 'orders', timer);
 */
export async function deleteFiredTimer(sql: SqlTransaction, schema: string, timer: DueTimer) {
  await sql.query(
    `DELETE FROM ${table(schema)}
      WHERE tenant = $4 AND stream = $1 AND kind = $2 AND due_at = $3::timestamptz`,
    [timer.stream, timer.kind, timer.dueAt, timer.tenant],
  );
}
