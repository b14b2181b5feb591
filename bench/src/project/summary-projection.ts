import { defineProjection, type RecordedEvent } from '@duet/core';
import { ORDER_EVENT_TYPES } from './order-events.ts';

/**
 * The read model both systems build: one row per order stream with its event count, the
 * sum of the events' `amount` and the last stream version. Duet's apply sends a whole
 * batch as one multi-row upsert (the way docs/projections.md recommends), aggregated per
 * stream so a stream appears once per statement.
 */
export const summaryProjection = defineProjection<RecordedEvent>({
  name: 'order_summary',
  version: 1,
  events: [...ORDER_EVENT_TYPES],
  async setup(tx, tables) {
    await tx.query(`CREATE TABLE ${tables.name('summary')} (
      stream text PRIMARY KEY, events integer NOT NULL, total bigint NOT NULL,
      last_version integer NOT NULL)`);
  },
  async apply(tx, events, tables) {
    const rows = events.map((event) => ({
      s: event.stream,
      a: (event.data as { amount?: number }).amount ?? 0,
      v: event.streamVersion,
    }));
    await tx.query(
      `INSERT INTO ${tables.name('summary')} AS t (stream, events, total, last_version)
       SELECT x.s, count(*), sum(x.a), max(x.v)
         FROM jsonb_to_recordset($1::text::jsonb) AS x(s text, a bigint, v integer)
        GROUP BY x.s
       ON CONFLICT (stream) DO UPDATE
          SET events = t.events + excluded.events, total = t.total + excluded.total,
              last_version = greatest(t.last_version, excluded.last_version)`,
      [JSON.stringify(rows)],
    );
  },
});

/** The summary table of version 1 in `readModelSchema`. */
export const summaryTable = (readModelSchema: string): string =>
  `"${readModelSchema}"."order_summary_v1__summary"`;
