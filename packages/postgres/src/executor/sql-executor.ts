/** The part of a connection that runs statements: on its own, or inside a transaction. */
export interface SqlTransaction {
  /**
   * Runs one statement with bound parameters (`$1`, `$2`, ...). Pass JSON as a string and
   * cast it in SQL (`$1::text::jsonb`): the two drivers serialize objects differently.
   */
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[] }>;
}

/**
 * Called on a NOTIFY with its payload, or with `null` after the listening connection was
 * lost and re-established: notifications sent meanwhile are gone, so re-read.
 */
export type NotifyHandler = (payload: string | null) => void;

/**
 * The one small SQL interface Duet needs from a database driver. `createPgExecutor` wraps a
 * `pg` pool, `createPGliteExecutor` a PGlite instance; the stores run the same SQL on both.
 *
 * @example
 * await using executor = createPGliteExecutor(await PGlite.create());
 * const { rows } = await executor.query<{ one: number }>('select 1 as one');
 */
export interface SqlExecutor extends SqlTransaction {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Set by `isolateTenants`: the role tenant statements run as. A processor runner whose
   * read models are on such an executor applies each tenant's events as that tenant. An
   * executor that wraps another should pass it on.
   */
  readonly tenantRole?: string;
  /** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Where the executor keeps session settings on its pooled connections (the pg executor on
   * a pool it owns): statements in a session run on a connection already in it, or entered
   * first; every other statement runs on a connection that has left its session. Absent
   * where connections are not the executor's own (PGlite, a pool handed in).
   */
  readonly sessions?: SqlSessions;
  /** LISTENs on `channel` (a lower-case identifier); resolves to a function that stops. */
  listen(channel: string, onNotify: NotifyHandler): Promise<() => Promise<void>>;
  /** Releases what the executor opened itself (never a pool or PGlite it was handed). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Session settings a connection keeps between statements, e.g. the tenant's role and
 * `duet.tenant` (`isolateTenants`): `enter` sets them at session level, `leave` puts the
 * connection back as it was opened. Both are SQL without parameters.
 */
export interface SqlSession {
  /** Connections entered with an equal key are in the same session. */
  readonly key: string;
  readonly enter: string;
  readonly leave: string;
}

/** Statements and transactions in a session (see `SqlExecutor.sessions`). */
export interface SqlSessions {
  query<Row = Record<string, unknown>>(
    session: SqlSession,
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[] }>;
  transaction<T>(session: SqlSession, fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs a statement that reads and writes no rows (a NOTIFY) on whichever connection
   * comes next, in whatever session it is in: no switch out of a tenant's session and
   * back in for that tenant's next statement.
   */
  queryInAnySession<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[] }>;
}
