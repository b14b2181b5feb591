import type { SqlExecutor } from '../executor/sql-executor.ts';
import { runningAppendersSql } from './read-horizon.ts';

/** The transaction that holds `readAll` back, as `oldestRunningTransaction` reports it. */
export interface RunningTransaction {
  /** The backend's process id: `pg_terminate_backend(pid)` ends it. */
  readonly pid: number;
  /** Its transaction id (xid8) as decimal text: readers stop below it. */
  readonly transactionId: string;
  /** How long it has been open. */
  readonly ageMs: number;
  /** `active`, `idle in transaction`, ... (pg_stat_activity.state). */
  readonly state: string;
  /** Its current or last statement (empty without the privilege to see it). */
  readonly query: string;
}

interface Row {
  readonly pid: number;
  readonly transaction_id: string;
  readonly age_ms: number;
  readonly state: string | null;
  readonly query: string | null;
}

/**
 * The oldest running transaction that readers of this schema wait for (an appender, see
 * read-horizon.ts), or null when none does. On PGlite (one connection) nothing else can
 * be running while this asks: null.
 */
export async function oldestRunningTransaction(
  executor: SqlExecutor,
  schema: string,
): Promise<RunningTransaction | null> {
  const { rows } = await executor.query<Row>(
    `WITH appenders AS MATERIALIZED (${runningAppendersSql(schema)})
     SELECT p.pid,
            p.xid::text AS transaction_id,
            coalesce((extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::float8, 0) AS age_ms,
            a.state,
            a.query
       FROM appenders AS p
       LEFT JOIN pg_stat_activity AS a ON a.pid = p.pid
      WHERE p.pid <> pg_backend_pid()
      ORDER BY p.xid
      LIMIT 1`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    pid: row.pid,
    transactionId: row.transaction_id,
    ageMs: Math.max(0, Math.round(row.age_ms)),
    state: row.state ?? '',
    query: row.query ?? '',
  };
}
