import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { quoteIdentifier } from '../../read-models/quote-identifier.ts';

/**
 * Records event ids in a reactor version's inbox, in the caller's transaction, with one
 * multi-row INSERT ... ON CONFLICT DO NOTHING; resolves to the ids not seen before.
 */
export async function recordInInbox(
  tx: Pick<SqlTransaction, 'query'>,
  schema: string,
  reactor: { readonly name: string; readonly version: number },
  eventIds: readonly string[],
): Promise<Set<string>> {
  const { rows } = await tx.query<{ event_id: string }>(
    `INSERT INTO ${quoteIdentifier(schema)}.reactor_inbox (name, version, event_id)
     SELECT $1, $2, id FROM unnest($3::text[]) AS id
     ON CONFLICT DO NOTHING
     RETURNING event_id`,
    [reactor.name, reactor.version, eventIds],
  );
  return new Set(rows.map((row) => row.event_id));
}
