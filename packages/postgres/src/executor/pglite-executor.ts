import type { NotifyHandler, SqlExecutor, SqlTransaction } from './sql-executor.ts';

/** The PGlite methods the executor calls (PGlite's native API, never pglite-socket). */
export interface PGliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  transaction<T>(fn: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/** The methods of a PGlite transaction the executor calls. */
export interface PGliteTransactionLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/**
 * Runs Duet's SQL on a PGlite instance. PGlite is one connection, so its transactions run
 * one after another; the executor does not close the instance (whoever opened it does).
 *
 * @example
 * const db = await PGlite.create();
 * const executor = createPGliteExecutor(db);
 * await migrate(executor);
 */
export function createPGliteExecutor(db: PGliteLike): SqlExecutor {
  const stops = new Set<() => Promise<void>>();
  const query = async <Row>(sql: string, params?: readonly unknown[]) => {
    const result = await db.query<Row>(sql, params === undefined ? undefined : [...params]);
    return { rows: result.rows };
  };
  const close = async () => {
    const pending = [...stops];
    stops.clear();
    await Promise.all(pending.map((stop) => stop()));
  };
  return {
    kind: 'pglite',
    query,
    transaction: (fn) =>
      db.transaction((tx) => {
        const wrapped: SqlTransaction = {
          query: async <Row>(sql: string, params?: readonly unknown[]) => {
            const result = await tx.query<Row>(sql, params === undefined ? undefined : [...params]);
            return { rows: result.rows };
          },
        };
        return fn(wrapped);
      }),
    async listen(channel: string, onNotify: NotifyHandler) {
      const unlisten = await db.listen(channel, (payload) => onNotify(payload));
      const stop = async () => {
        if (stops.delete(stop)) await unlisten();
      };
      stops.add(stop);
      return stop;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
