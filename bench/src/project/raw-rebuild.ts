import pg from 'pg';
import { openCpuWindow } from './cpu-window.ts';
import type { ProjectJob, ProjectResult } from './project-config.ts';
import { checkSummary, duetFoldSql } from './summary-check.ts';

/** Events per page of the raw loop: Duet's largest batch. */
const RAW_PAGE = 5000;

const createSummary = (table: string) =>
  `CREATE TABLE ${table} (stream text PRIMARY KEY, events integer NOT NULL, total bigint NOT NULL,
     last_version integer NOT NULL)`;

/**
 * What PostgreSQL itself does with the same read model over the events Duet's job seeded,
 * with no framework: `insert_select` is one `INSERT ... SELECT ... GROUP BY` over the whole
 * log (the ceiling: no batches, no checkpoints, nothing leaves the server);
 * `batched_upsert` is the shape of a projection runner done by hand: keyset pages of
 * 5,000 events read to the client, each applied as one multi-row upsert plus a checkpoint
 * UPDATE in one transaction.
 */
export async function runRawRebuilds(job: ProjectJob): Promise<ProjectResult[]> {
  const s = `"${job.schema}"`;
  const client = new pg.Client({ connectionString: job.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${s}.events`,
    );
    const events = Number(rows[0]?.n ?? 0);
    const results: ProjectResult[] = [];

    const selectTable = `${s}.raw_summary_insert_select`;
    await client.query(createSummary(selectTable));
    let cpu = await openCpuWindow(job.databaseUrl);
    let started = performance.now();
    await client.query(
      `INSERT INTO ${selectTable} (stream, events, total, last_version)
       SELECT stream, count(*), sum((data->>'amount')::bigint), max(stream_version)
         FROM ${s}.events GROUP BY stream`,
    );
    let seconds = (performance.now() - started) / 1000;
    let breakdown = await cpu.close();
    results.push(await rawResult(job, 'insert_select', events, seconds, breakdown, selectTable));

    const loopTable = `${s}.raw_summary_batched`;
    await client.query(createSummary(loopTable));
    await client.query(
      `CREATE TABLE ${s}.raw_checkpoint (tx_id xid8 NOT NULL, seq bigint NOT NULL)`,
    );
    await client.query(`INSERT INTO ${s}.raw_checkpoint VALUES ('0'::xid8, 0)`);
    cpu = await openCpuWindow(job.databaseUrl);
    started = performance.now();
    let after = { tx: '0', seq: '0' };
    for (;;) {
      const page = await client.query<{
        tx_id: string;
        seq: string;
        stream: string;
        stream_version: number;
        data: { amount?: number };
      }>(
        `SELECT e.tx_id::text AS tx_id, e.seq::text AS seq, e.stream, e.stream_version::integer AS stream_version, e.data
           FROM ${s}.events AS e WHERE (e.tx_id, e.seq) > ($1::text::xid8, $2::bigint)
          ORDER BY e.tx_id, e.seq LIMIT ${RAW_PAGE}`,
        [after.tx, after.seq],
      );
      const last = page.rows.at(-1);
      if (!last) break;
      const batch = page.rows.map((row) => ({
        s: row.stream,
        a: row.data.amount ?? 0,
        v: row.stream_version,
      }));
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${loopTable} AS t (stream, events, total, last_version)
         SELECT x.s, count(*), sum(x.a), max(x.v)
           FROM jsonb_to_recordset($1::text::jsonb) AS x(s text, a bigint, v integer) GROUP BY x.s
         ON CONFLICT (stream) DO UPDATE SET events = t.events + excluded.events,
            total = t.total + excluded.total, last_version = greatest(t.last_version, excluded.last_version)`,
        [JSON.stringify(batch)],
      );
      await client.query(
        `UPDATE ${s}.raw_checkpoint SET tx_id = $1::text::xid8, seq = $2::bigint`,
        [last.tx_id, last.seq],
      );
      await client.query('COMMIT');
      after = { tx: last.tx_id, seq: last.seq };
      if (page.rows.length < RAW_PAGE) break;
    }
    seconds = (performance.now() - started) / 1000;
    breakdown = await cpu.close();
    results.push(await rawResult(job, 'batched_upsert', events, seconds, breakdown, loopTable));
    return results;
  } finally {
    await client.end();
  }
}

async function rawResult(
  job: ProjectJob,
  method: string,
  events: number,
  seconds: number,
  breakdown: Awaited<ReturnType<Awaited<ReturnType<typeof openCpuWindow>>['close']>>,
  table: string,
): Promise<ProjectResult> {
  const check = await checkSummary(job.databaseUrl, table, duetFoldSql(job.schema));
  return {
    workload: 'project',
    system: 'raw-postgres',
    method,
    events,
    events_per_sec: Math.round(events / seconds),
    seconds: Math.round(seconds * 100) / 100,
    seeded_by_writers: job.plan.writers,
    streams: job.plan.streams,
    ...check,
    ...(breakdown ?? {}),
  };
}
