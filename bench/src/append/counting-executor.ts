import type { SqlExecutor, SqlSession, SqlTransaction } from '@duet/postgres';

/** What a store sent through its executor, for the bench's "where time goes". */
export interface ExecutorCounts {
  /** Commits: statements run outside a transaction (each its own) plus transactions. */
  commits: number;
  /**
   * Round trips: statements, plus BEGIN and COMMIT of each transaction. A tenant session's
   * switch of a pooled connection (at most one per statement or transaction, and none
   * while a connection stays with one tenant) happens below this and is not counted.
   */
  roundTrips: number;
}

/**
 * Wraps an executor and counts what passes through it, without changing behaviour:
 * appends per commit show how well group commit batches, round trips per commit what
 * one batch costs.
 *
 * @example
 * const { executor, counts } = countingExecutor(createPgExecutor({ connectionString }));
 */
export function countingExecutor(inner: SqlExecutor): {
  executor: SqlExecutor;
  counts: ExecutorCounts;
} {
  const counts: ExecutorCounts = { commits: 0, roundTrips: 0 };
  const executor: SqlExecutor = {
    kind: inner.kind,
    query<Row>(sql: string, params?: readonly unknown[]) {
      counts.commits += 1;
      counts.roundTrips += 1;
      return inner.query<Row>(sql, params);
    },
    transaction<T>(fn: (tx: SqlTransaction) => Promise<T>) {
      counts.commits += 1;
      counts.roundTrips += 2;
      return inner.transaction<T>((tx) =>
        fn({
          query<Row>(sql: string, params?: readonly unknown[]) {
            counts.roundTrips += 1;
            return tx.query<Row>(sql, params);
          },
        }),
      );
    },
    ...(inner.sessions
      ? {
          sessions: {
            query<Row>(session: SqlSession, sql: string, params?: readonly unknown[]) {
              counts.commits += 1;
              counts.roundTrips += 1;
              return inner.sessions!.query<Row>(session, sql, params);
            },
            transaction<T>(session: SqlSession, fn: (tx: SqlTransaction) => Promise<T>) {
              counts.commits += 1;
              counts.roundTrips += 2;
              return inner.sessions!.transaction<T>(session, (tx) =>
                fn({
                  query<Row>(sql: string, params?: readonly unknown[]) {
                    counts.roundTrips += 1;
                    return tx.query<Row>(sql, params);
                  },
                }),
              );
            },
            queryInAnySession<Row>(sql: string, params?: readonly unknown[]) {
              counts.commits += 1;
              counts.roundTrips += 1;
              return inner.sessions!.queryInAnySession<Row>(sql, params);
            },
          },
        }
      : {}),
    listen: (channel, onNotify) => inner.listen(channel, onNotify),
    close: () => inner.close(),
    [Symbol.asyncDispose]: () => inner.close(),
  };
  return { executor, counts };
}
