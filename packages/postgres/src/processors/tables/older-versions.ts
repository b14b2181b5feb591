import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';

/**
 * Deletes the checkpoints, owner records, dead letters and inbox rows of a processor's
 * versions older than `activeVersion` (only older: a newer one may be building beside it).
 */
export async function deleteOlderVersions(
  tx: Pick<SqlTransaction, 'query'>,
  schema: string,
  name: string,
  activeVersion: number,
): Promise<void> {
  const s = quoteIdentifier(schema);
  for (const table of ['checkpoints', 'owners', 'dead_letters', 'reactor_inbox']) {
    await tx.query(`DELETE FROM ${s}.${table} WHERE name = $1 AND version < $2`, [
      name,
      activeVersion,
    ]);
  }
}
