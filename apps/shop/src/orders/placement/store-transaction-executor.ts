import type { EventStoreTransaction, PostgresEventStore, SqlExecutor } from '@duet/postgres';

// Why this exists: a reactor's `tx` is a transaction of the processor runner's
// `readModels` executor, and the runner records the reactor's inbox row and checkpoint in
// it. For the saga's events to commit with that row, they must be appended in that very
// transaction. A plain executor transaction cannot append safely: readers of the global
// order only wait for transactions that took the store's append lock BEFORE they got a
// transaction id, and the runner writes (inbox row, checkpoint) before the handler runs.
// `store.transaction` takes that lock as its first statement. So the runner is handed an
// executor whose transactions ARE store transactions: same database, same connection
// pool, with the lock first and `append` / `readStream` on the `tx` every handler gets.

/**
 * The store's executor, with `transaction` opened through `store.transaction`: give it
 * to `openProcessors` as `readModels`, and a reactor's `tx` can append to the store
 * (see `storeTransactionOf`) atomically with its inbox row and checkpoint. Statements
 * outside a transaction, LISTEN and close go to the store's executor unchanged.
 *
 * @example
 * const processors = openProcessors({ store, readModels: storeTransactionExecutor(store), schema: 'orders_placement', processors: [reactor] });
 */
export function storeTransactionExecutor(store: PostgresEventStore): SqlExecutor {
  const { executor } = store;
  return {
    kind: executor.kind,
    // Tenants stay isolated: the runner applies each tenant's events as that tenant.
    ...(executor.tenantRole === undefined ? {} : { tenantRole: executor.tenantRole }),
    query: (sql, params) => executor.query(sql, params),
    transaction: (fn) => store.transaction(fn),
    listen: (channel, onNotify) => executor.listen(channel, onNotify),
    // The store's executor belongs to whoever opened it: the processors must not close it.
    close: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
}

/**
 * The store transaction behind a reactor's `tx`, when its runner's `readModels` is a
 * `storeTransactionExecutor`; throws otherwise, rather than appending outside the lock.
 *
 * @example
 * const storeTx = storeTransactionOf(context.tx);
 * await storeTx.append('placement-o-1', events, { expectedVersion: 3 });
 */
export function storeTransactionOf(tx: unknown): EventStoreTransaction {
  const candidate = tx as Partial<EventStoreTransaction> | null;
  if (
    typeof candidate?.append !== 'function' ||
    typeof candidate.readStream !== 'function' ||
    typeof candidate.query !== 'function'
  ) {
    throw new TypeError(
      'expected a store transaction: run this reactor with openProcessors({ readModels: storeTransactionExecutor(store) })',
    );
  }
  return candidate as EventStoreTransaction;
}
