import type { ReactorDefinition, RecordedEvent } from '@duet/core';
import type { SqlTransaction } from '../executor/sql-executor.ts';
import { quoteIdentifier } from '../read-models/quote-identifier.ts';

/**
 * Runs a reactor's handler for each event its inbox has not seen, in the caller's
 * transaction: one multi-row INSERT ... ON CONFLICT DO NOTHING records the batch's event
 * ids and returns the new ones, and only those are handled, in order. The rows commit
 * with the handler's effects and the checkpoint, or roll back with them; so an event is
 * handled once per reactor version even when a rebuild or a dead-letter retry replays it.
 *
 * @example
 * await handleWithInbox(tx, 'duet_projections', welcomeMail, events, signal);
 */
export async function handleWithInbox(
  tx: SqlTransaction,
  schema: string,
  reactor: ReactorDefinition,
  events: readonly RecordedEvent[],
  signal: AbortSignal,
): Promise<number> {
  if (events.length === 0) return 0;
  const { rows } = await tx.query<{ event_id: string }>(
    `INSERT INTO ${quoteIdentifier(schema)}.reactor_inbox (name, version, event_id)
     SELECT $1, $2, id FROM unnest($3::text[]) AS id
     ON CONFLICT DO NOTHING
     RETURNING event_id`,
    [reactor.name, reactor.version, events.map((event) => event.id)],
  );
  const fresh = new Set(rows.map((row) => row.event_id));
  for (const event of events) {
    if (fresh.has(event.id)) await reactor.handle(event, { tx, signal });
  }
  return fresh.size;
}
