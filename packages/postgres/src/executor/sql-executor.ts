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
  /** LISTENs on `channel` (a lower-case identifier); resolves to a function that stops. */
  listen(channel: string, onNotify: NotifyHandler): Promise<() => Promise<void>>;
  /** Releases what the executor opened itself (never a pool or PGlite it was handed). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
