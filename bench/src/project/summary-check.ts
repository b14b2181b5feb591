import pg from 'pg';

/** How a read model compares with the fold computed from the events themselves. */
export interface SummaryCheck {
  readonly correct: boolean;
  /** Streams whose row differs from the fold, or is missing, or should not be there. */
  readonly mismatched_streams: number;
  /** Events the fold counts that the read model does not (skipped events). */
  readonly missing_events: number;
  /** Events the read model counts that the fold does not (applied twice). */
  readonly extra_events: number;
}

/**
 * Compares a per-stream summary table `(stream, events, total, last_version)` with the same
 * summary folded in SQL from the events (`foldSql` yields the same four columns).
 */
export async function checkSummary(
  connectionString: string,
  readModelTable: string,
  foldSql: string,
): Promise<SummaryCheck> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ mismatched: string; missing: string; extra: string }>(
      `WITH fold AS (${foldSql}),
            model AS (SELECT stream, events::bigint AS events, total::bigint AS total,
                             last_version::bigint AS last_version FROM ${readModelTable}),
            joined AS (SELECT f.stream AS f_stream, m.stream AS m_stream,
                              coalesce(f.events, 0) AS f_events, coalesce(m.events, 0) AS m_events,
                              f.total AS f_total, m.total AS m_total,
                              f.last_version AS f_last, m.last_version AS m_last
                         FROM fold AS f FULL JOIN model AS m ON m.stream = f.stream)
       SELECT count(*) FILTER (WHERE f_stream IS NULL OR m_stream IS NULL OR f_events <> m_events
                                 OR f_total <> m_total OR f_last <> m_last)::text AS mismatched,
              coalesce(sum(greatest(f_events - m_events, 0)), 0)::text AS missing,
              coalesce(sum(greatest(m_events - f_events, 0)), 0)::text AS extra
         FROM joined`,
    );
    const row = rows[0];
    const mismatched = Number(row?.mismatched ?? -1);
    return {
      correct: mismatched === 0,
      mismatched_streams: mismatched,
      missing_events: Number(row?.missing ?? 0),
      extra_events: Number(row?.extra ?? 0),
    };
  } finally {
    await client.end();
  }
}

/** The fold over Duet's events table in `schema`. */
export const duetFoldSql = (schema: string): string =>
  `SELECT stream, count(*)::bigint AS events, sum((data->>'amount')::bigint)::bigint AS total,
          max(stream_version)::bigint AS last_version
     FROM "${schema}".events GROUP BY stream`;

/** The fold over Emmett's messages table. */
export const emmettFoldSql = `SELECT stream_id AS stream, count(*)::bigint AS events,
          sum((message_data->>'amount')::bigint)::bigint AS total,
          max(stream_position)::bigint AS last_version
     FROM emt_messages WHERE NOT is_archived GROUP BY stream_id`;
