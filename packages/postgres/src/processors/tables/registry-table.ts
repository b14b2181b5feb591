import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';

// The `projections` table: one row per processor name, with the version queries read.
// A share lock on the row is what a batch holds; an update lock is what a switch, a
// rebuild or a dead-letter retry takes to wait for the batches in flight and hold new ones.

type Sql = Pick<SqlTransaction, 'query'>;

/** Registers a name with its first version as the active one; nothing when it exists. */
export async function insertProcessorName(
  tx: Sql,
  schema: string,
  name: string,
  version: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO ${quoteIdentifier(schema)}.projections (name, active_version) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
    [name, version],
  );
}

/** The active version of `name` (undefined when never registered), optionally locking its row. */
export async function readActiveVersion(
  sql: Sql,
  schema: string,
  name: string,
  lock: 'none' | 'share' | 'update' = 'none',
): Promise<number | undefined> {
  const suffix = lock === 'share' ? ' FOR SHARE' : lock === 'update' ? ' FOR UPDATE' : '';
  const { rows } = await sql.query<{ active_version: number }>(
    `SELECT active_version FROM ${quoteIdentifier(schema)}.projections WHERE name = $1${suffix}`,
    [name],
  );
  return rows[0]?.active_version;
}

/** Locks the names' rows (in the order given: sort them to avoid deadlocks). */
export async function lockProcessorNames(
  tx: Sql,
  schema: string,
  names: readonly string[],
): Promise<void> {
  for (const name of names) {
    await tx.query(
      `SELECT 1 FROM ${quoteIdentifier(schema)}.projections WHERE name = $1 FOR UPDATE`,
      [name],
    );
  }
}

/** Switches queries to `version`. */
export async function setActiveVersion(
  tx: Sql,
  schema: string,
  name: string,
  version: number,
): Promise<void> {
  await tx.query(
    `UPDATE ${quoteIdentifier(schema)}.projections SET active_version = $2, switched_at = now() WHERE name = $1`,
    [name, version],
  );
}
