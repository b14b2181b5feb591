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
 * that finished after its snapshot (its rows are not visible to it yet). A transaction
 * that has an id but not the lock never appends afterwards, because appenders lock first.
 */

// 'DUET' as a number: the first half of the two-key advisory lock.
const LOCK_CLASS = 1146442068;

const lockObject = (schema: string) => `(hashtext('${schema}') & 2147483647)`;

/** The first statement of every appending transaction (in append_events and store.transaction). */
export function appendLockSql(schema: string): string {
  return `SELECT pg_advisory_xact_lock_shared(${LOCK_CLASS}, ${lockObject(schema)})`;
}

/**
 * The same lock taken exclusively: it waits for the appending transactions in flight and
 * holds new ones at their first statement, before they touch a table. `migrate` takes it
 * before a store migration changes the tables appenders use (issue 13, S10): appenders
 * lock `events` and `streams` in either order (an id probe reads `events` first), so a
 * migration that locks one table after the other would deadlock with them.
 */
export function appendExclusionSql(schema: string): string {
  return `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${lockObject(schema)})`;
}

/** The same, for use inside PL/pgSQL. */
export function appendLockStatement(schema: string): string {
  return `PERFORM pg_advisory_xact_lock_shared(${LOCK_CLASS}, ${lockObject(schema)});`;
}

/**
 * One consistent copy of the lock table. pg_locks is read once (a materialized CTE): two
 * reads could straddle a commit and pair a finished transaction's id with the next
 * transaction of the same backend.
 */
const LOCKS = `locks AS MATERIALIZED (
  SELECT locktype, transactionid, classid, objid, objsubid, mode, granted, pid
    FROM pg_locks
)`;

/**
 * True for a row of `locks` AS own whose backend holds the schema's append lock.
 *
 * Rows are paired by backend pid, never by virtualtransaction: pg_locks reads each row's
 * vxid from the backend as it is at that instant, and a committing backend resets it to
 * `n/0` (ProcArrayEndTransaction) while it still holds its locks, so one transaction's
 * rows can show two vxids and an appender looked quiet (a reader skipped its events:
 * commit-order.stress.int.test.ts). Within one read of the lock table a backend holds the
 * locks of one transaction only. A prepared transaction has no pid: it is never quiet.
 */
function holdsAppendLock(schema: string): string {
  return `(own.pid IS NULL OR EXISTS (
     SELECT 1 FROM locks AS k
      WHERE k.pid = own.pid AND k.locktype = 'advisory'
        AND k.objsubid = 2 AND k.classid = ${LOCK_CLASS}::oid AND k.objid = ${lockObject(schema)}::oid
   ))`;
}

/**
 * Transaction ids (low 32 bits, as pg_locks shows them) of running transactions that do
 * not hold the schema's append lock: readers need not wait for them. Every transaction
 * holds an ExclusiveLock on its own id, which ties the id to its backend; only that row
 * counts (a backend waiting for the transaction holds a ShareLock on the same id, and is
 * granted it for a moment as the transaction ends).
 */
export function quietTransactionsSql(schema: string): string {
  return `WITH ${LOCKS}
SELECT own.transactionid::text::bigint
  FROM locks AS own
 WHERE own.locktype = 'transactionid' AND own.mode = 'ExclusiveLock' AND own.granted
   AND NOT ${holdsAppendLock(schema)}`;
}

/**
 * The running appenders readers wait for, as of the statement's snapshot: one row each
 * with `xid` (xid8) and the backend's `pid`.
 */
export function runningAppendersSql(schema: string): string {
  return `WITH ${LOCKS}
SELECT x.xid, own.pid
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
  JOIN locks AS own
    ON own.locktype = 'transactionid' AND own.mode = 'ExclusiveLock' AND own.granted
   AND own.transactionid::text::bigint = (x.xid::text::bigint & 4294967295)
 WHERE ${holdsAppendLock(schema)}`;
}

/**
 * One row, one column `h` (xid8): rows with `tx_id < h` are committed in the statement's
 * snapshot and no running appender can add a row below them. A running transaction is
 * waited for unless the lock table shows it without the append lock (one that finished
 * since the snapshot shows no locks: it is waited for, as its rows are not visible yet).
 * The lock table is read only when the snapshot has running transactions.
 */
export function readHorizonSql(schema: string): string {
  return `SELECT coalesce(min(x.xid), pg_snapshot_xmax(pg_current_snapshot())) AS h
  FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
 WHERE (x.xid::text::bigint & 4294967295) NOT IN (${quietTransactionsSql(schema)})`;
}
