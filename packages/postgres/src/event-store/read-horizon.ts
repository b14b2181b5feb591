/**
 * Which transactions readers must wait for, and the lock that marks them.
 *
 * Sequence numbers are handed out before commit, so a reader must not move past a
 * transaction that may still commit events. Waiting for every running transaction
 * (`tx_id < pg_snapshot_xmin(pg_current_snapshot())`) is correct but lets any long
 * transaction in the cluster — a report, a migration, another service's work — stall
 * every reader. So each appending transaction first takes a shared advisory lock keyed
 * on the schema, before it has a transaction id; a reader then waits only for running
 * transactions (as of its snapshot) that hold that lock, or that it cannot rule out: one
 * whose backend it cannot see, or that finished after its snapshot. A transaction that
 * has an id but not the lock never appends afterwards, because appenders lock first.
 */

// 'DUET' as a number: the first half of the two-key advisory lock.
const LOCK_CLASS = 1146442068;

const lockObject = (schema: string) => `(hashtext('${schema}') & 2147483647)`;

/** The first statement of every appending transaction (in append_events and store.transaction). */
export function appendLockSql(schema: string): string {
  return `SELECT pg_advisory_xact_lock_shared(${LOCK_CLASS}, ${lockObject(schema)})`;
}

/** The same, for use inside PL/pgSQL. */
export function appendLockStatement(schema: string): string {
  return `PERFORM pg_advisory_xact_lock_shared(${LOCK_CLASS}, ${lockObject(schema)});`;
}

/**
 * Transaction ids (low 32 bits, as pg_stat_activity shows them) of running transactions
 * that do not hold the schema's append lock: readers need not wait for them.
 */
export function quietTransactionsSql(schema: string): string {
  return `SELECT a.backend_xid::text::bigint
  FROM pg_stat_activity AS a
 WHERE a.backend_xid IS NOT NULL
   AND NOT EXISTS (
     SELECT 1 FROM pg_locks AS l
      WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.objsubid = 2
        AND l.classid = ${LOCK_CLASS}::oid AND l.objid = ${lockObject(schema)}::oid
   )`;
}

/**
 * One row, one column `h` (xid8): rows with `tx_id < h` are committed in the statement's
 * snapshot and no running appender can add a row below them. The pg_stat_activity /
 * pg_locks lookup runs only when the snapshot has running transactions.
 */
export function readHorizonSql(schema: string): string {
  return `SELECT coalesce(min(x.xid), pg_snapshot_xmax(pg_current_snapshot())) AS h
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
 WHERE (x.xid::text::bigint & 4294967295) NOT IN (${quietTransactionsSql(schema)})`;
}
