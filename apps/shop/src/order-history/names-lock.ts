import type { SqlTransaction } from '@duet/postgres';

/**
 * Serializes the writes that copy names between tables (customer names and addresses into
 * orders, product names into order lines) against the writes that change those names.
 *
 * Why: the orders consumer and the customers (or catalog) consumer run in separate
 * transactions. Without a lock, OrderPlaced can read "no customer yet" while
 * CustomerRenamed updates "every order of the customer" without seeing the uncommitted
 * order: both commit and the row keeps no name for good (write skew). With the lock, the
 * second one waits and, under READ COMMITTED, its next statement sees the first's commit.
 *
 * Orders take the lock shared (they do not race each other: each writes its own rows);
 * name changes take it exclusive. One key per schema, taken once per statement series, so
 * no lock-order deadlock between consumers is possible from it.
 */
export async function lockNames(
  tx: SqlTransaction,
  schema: string,
  mode: 'copy' | 'change',
): Promise<void> {
  const fn = mode === 'copy' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await tx.query(`SELECT ${fn}(hashtextextended($1, 0))`, [`duet.order_history.names.${schema}`]);
}
