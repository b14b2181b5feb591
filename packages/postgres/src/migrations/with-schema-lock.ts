import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';

/**
 * True for the errors a concurrent creator of the same schema object causes, although the
 * statement said `IF NOT EXISTS`: a backend caches "no such name" in its catalog cache and
 * does not re-read it after an advisory lock (only relation locks and a new transaction
 * make it catch up), so it can miss a schema another session committed while it waited.
 * 23505 counts only on a system catalog's index (`pg_namespace_nspname_index`, ...).
 */
export function isCatalogRace(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  if (code === '42P06' || code === '42P07' || code === '42710') return true;
  return code === '23505' && typeof constraint === 'string' && constraint.startsWith('pg_');
}

const attempts = 5;

/**
 * Runs `transaction` (a whole transaction) again when it lost a catalog race: the new
 * transaction sees what the winner created.
 */
export async function retryCatalogRace<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= attempts || !isCatalogRace(error)) throw error;
    }
  }
}

/**
 * Runs `fn` in a transaction holding the schema's migration lock (the one `migrate` takes),
 * so DDL of several processes starting at once runs one after another; a transaction that
 * lost a catalog race (see `isCatalogRace`) is run again, in a new transaction that sees
 * what the winner created.
 *
 * @example
 * await withSchemaLock(executor, 'orders', (tx) => tx.query('CREATE TABLE IF NOT EXISTS orders.timers (...)'));
 */
export async function withSchemaLock<T>(
  executor: SqlExecutor,
  schema: string,
  fn: (tx: SqlTransaction) => Promise<T>,
): Promise<T> {
  return retryCatalogRace(() =>
    executor.transaction(async (tx) => {
      // Transaction-scoped, so a killed process cannot leave the lock held.
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `duet.migrate.${schema}`,
      ]);
      return fn(tx);
    }),
  );
}
