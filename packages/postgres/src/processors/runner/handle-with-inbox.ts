import type { ReactorDefinition, RecordedEvent } from '@duet/core';
import { contextOfTraceFields, inSpan } from '@duet/core';
import type { SqlTransaction } from '../../executor/sql-executor.ts';
import { recordInInbox } from '../tables/reactor-inbox-table.ts';

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
  const fresh = await recordInInbox(
    tx,
    schema,
    reactor,
    events.map((event) => event.id),
  );
  for (const event of events) {
    if (!fresh.has(event.id)) continue;
    // In the event's own trace: the commands a reactor sends continue it (a saga's chain).
    await inSpan(
      `duet.reactor ${reactor.name} ${event.type}`,
      {
        parent: contextOfTraceFields(event.metadata),
        attributes: {
          'duet.processor': reactor.name,
          'duet.event.type': event.type,
          'duet.stream': event.stream,
        },
      },
      () => reactor.handle(event, { tx, signal }),
    );
  }
  return fresh.size;
}
