import type { SqlExecutor } from '../src/executor/sql-executor.ts';

// Shared by the tests that cut a LISTEN connection (pg_terminate_backend): they give the
// executor under test an application_name of its own, so they find and end its LISTEN
// backend and no other, also while other test runs use the same server.

/** `url` with `application_name` set: every connection of a pg executor on it carries it. */
export function withApplicationName(url: string, applicationName: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', applicationName);
  return parsed.toString();
}

/** The pids of the LISTEN connections of `applicationName` (a pg executor has at most one). */
export async function listenBackends(
  admin: SqlExecutor,
  applicationName: string,
): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE application_name = $1 AND starts_with(query, 'LISTEN ') AND pid <> pg_backend_pid()`,
    [applicationName],
  );
  return rows.map((row) => row.pid);
}

/**
 * Waits until `applicationName` has exactly one LISTEN connection other than `not`, and
 * returns its pid. No deadline of its own: a connection that never comes back fails the
 * test by its timeout.
 */
export async function waitForListenBackend(
  admin: SqlExecutor,
  applicationName: string,
  not?: number,
): Promise<number> {
  for (;;) {
    const pids = (await listenBackends(admin, applicationName)).filter((pid) => pid !== not);
    if (pids.length === 1) return pids[0]!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ends one backend as an operator or a failover would; true when it was there to end. */
export async function terminateBackend(admin: SqlExecutor, pid: number): Promise<boolean> {
  const { rows } = await admin.query<{ terminated: boolean }>(
    'SELECT pg_terminate_backend($1) AS terminated',
    [pid],
  );
  return rows[0]?.terminated === true;
}
