import { type Position, runAsSystem } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import type { TenantIsolatedExecutor } from '../executor/tenant-isolated-executor.ts';

/**
 * Wakes the store's readers after appends commit: one NOTIFY on the store's channel,
 * sent after the commit instead of inside it. PostgreSQL commits notifying transactions
 * one at a time (they hold a database-wide lock across their commit record's flush), so a
 * NOTIFY inside every append serialized every append of every process on one database
 * (issue 14, `bench scale`). Here the appends commit without it, and each process sends
 * one NOTIFY at a time, carrying the highest position committed since the last one: while
 * one is in flight, later commits only raise the position the next one carries.
 *
 * The NOTIFY commits asynchronously (`synchronous_commit` off for its own transaction):
 * it carries no data, so nothing waits for its flush. A lost NOTIFY (the process dies
 * between its append's commit and the NOTIFY, or the NOTIFY fails) delays readers until
 * their poll interval, as a lost LISTEN connection always could; it loses no event.
 */
export interface CommitNotifier {
  /** Notes a committed position; a NOTIFY carrying it (or a later one) follows. */
  committed(position: Position): void;
  /** Resolves when every NOTIFY due so far has been sent (or has failed). */
  flush(): Promise<void>;
}

/**
 * @example
 * const notifier = createCommitNotifier(executor, eventsChannel(schema));
 * notifier.committed(result.position);
 */
export function createCommitNotifier(executor: SqlExecutor, channel: string): CommitNotifier {
  let pending: Position | null = null;
  let sending: Promise<void> | null = null;
  const sql = `SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`;
  // Where connections keep tenant sessions, the NOTIFY (it touches no rows) runs in the
  // session its connection is in: sent as the system's, it took the connection out of a
  // tenant's session, and that tenant's next statement on it paid a switch back in.
  const sessions = ((executor as Partial<TenantIsolatedExecutor>).unscoped ?? executor).sessions;
  const notify = (position: Position) =>
    sessions
      ? sessions.queryInAnySession(sql, [channel, position])
      : // The system's statement on a tenant-isolated executor (PGlite, a pool handed in).
        runAsSystem(() => executor.query(sql, [channel, position]));

  const send = async () => {
    while (pending !== null) {
      const position = pending;
      pending = null;
      try {
        await notify(position);
      } catch {
        // Readers poll: a failed wake-up delays them, it cannot lose an event.
      }
    }
    sending = null;
  };

  return {
    committed(position) {
      if (pending === null || position > pending) pending = position;
      sending ??= send();
    },
    async flush() {
      while (sending) await sending;
    },
  };
}
