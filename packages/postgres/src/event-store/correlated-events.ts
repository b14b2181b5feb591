import type { EventRegistry, RecordedEvent } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { explainMissingSchema } from '../not-migrated-error.ts';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Events of a store related to one request, in global order (at most `limit`): those with
 * this correlation id, or the one event with this id. For consoles and debugging, not hot
 * paths: metadata is not indexed, so a correlation search scans the events table.
 *
 * @example
 * const chain = await correlatedEvents(executor, 'orders', { correlationId, limit: 200 });
 * const [cause] = await correlatedEvents(executor, 'orders', { eventId: causationId, limit: 1 });
 */
export async function correlatedEvents(
  executor: SqlExecutor,
  schema: string,
  match: { readonly correlationId: string } | { readonly eventId: string },
  options: { readonly limit: number; readonly events?: EventRegistry },
): Promise<RecordedEvent[]> {
  const byId = 'eventId' in match;
  // Not a UUID: no event has that id, and PostgreSQL would refuse the cast.
  if (byId && !uuid.test(match.eventId)) return [];
  const where = byId ? 'e.id = $1::uuid' : `e.metadata->>'correlationId' = $1`;
  try {
    const { rows } = await executor.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM "${schema}".events AS e WHERE ${where}
        ORDER BY e.tx_id, e.seq LIMIT $2`,
      [byId ? match.eventId : match.correlationId, options.limit],
    );
    return rows.map((row) => toRecordedEvent(row, options.events));
  } catch (error) {
    throw explainMissingSchema(error, schema);
  }
}
