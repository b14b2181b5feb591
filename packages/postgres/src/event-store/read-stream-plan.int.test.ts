import { describe, expect, inject, it } from 'vitest';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { openTestDatabase } from '../testing/index.ts';
import { readStreamPageSql } from './read-stream.ts';
import { streamPagesSql } from './stream-page-batches.ts';

// readStream's page query on a table that grew since its last ANALYZE (autovacuum may be
// off, or not have run yet). With a two-sided version range (`>= $from AND <= $to`, $to
// defaulting to the largest integer) PostgreSQL without statistics estimated a handful of
// rows and planned a bitmap scan of the rest of the stream plus a sort, every page:
// 0.2-0.6 s a page, about 10 minutes for a 1M-event stream. Whatever plan is chosen, a
// page must touch only its own rows, through the (tenant, stream, stream_version) index.

const EVENTS = 200_000;
const STREAM = 'big-1';
const PAGE = 500;

const databaseUrl = inject('databaseUrl');

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Actual Rows': number;
  readonly Plans?: readonly PlanNode[];
}

/** An index scan as the index it reads (a heap scan driven by a bitmap as its index). */
function scanOf(node: PlanNode): string {
  if (node['Node Type'] === 'Bitmap Heap Scan') return scanOf(node.Plans![0]!);
  return node['Index Name'] ? `index ${node['Index Name']}` : node['Node Type'];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function explain(executor: SqlExecutor, sql: string, params: unknown[]): Promise<PlanNode> {
  const { rows } = await executor.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
    params,
  );
  return rows[0]!['QUERY PLAN'][0].Plan;
}

describe.skipIf(databaseUrl === null)('readStream page plan on postgres', () => {
  it(`given one stream of ${EVENTS} events in a table never analyzed, when a page is planned forward or backward from any version, then it reads one page of the index, not the rest of the stream`, async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
    const { executor, schema } = db;
    await executor.query(
      `INSERT INTO "${schema}".events
         (id, stream, stream_version, category, type, schema_version, data, metadata,
          recorded_at, append_index, append_size)
       SELECT gen_random_uuid(), $1, g, 'big', 'Noted', 1, '{"n":1}', '{}', now(), 0, 1
         FROM generate_series(1, $2::integer) AS g`,
      [STREAM, EVENTS],
    );
    const { rows: stats } = await executor.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM pg_stats WHERE schemaname = $1 AND tablename = 'events'`,
      [schema],
    );
    expect(stats[0]!.n).toBe(0);

    // The premise: the old form, open towards the end of the stream, reads all of it.
    const open = await explain(
      executor,
      `SELECT e.stream_version FROM "${schema}".events AS e
        WHERE e.stream = $1 AND e.stream_version >= $2 AND e.stream_version <= $3
        ORDER BY e.stream_version LIMIT $4`,
      [STREAM, 1, Number.MAX_SAFE_INTEGER, PAGE],
    );
    expect(Math.max(...nodes(open).map((node) => node['Actual Rows']))).toBe(EVENTS);

    for (const [direction, from] of [
      ['forward', 1],
      ['forward', EVENTS / 2],
      ['backward', EVENTS],
      ['backward', EVENTS / 2],
    ] as const) {
      const plan = nodes(
        await explain(executor, readStreamPageSql(schema, direction), [STREAM, from, PAGE]),
      );
      const summary = {
        direction,
        from,
        mostRows: Math.max(...plan.map((node) => node['Actual Rows'])),
        scans: plan.filter((node) => node['Node Type'].includes('Scan')).map(scanOf),
      };
      expect(summary).toEqual({
        direction,
        from,
        mostRows: PAGE,
        scans: summary.scans.map(() => 'index events_tenant_stream_version_key'),
      });
      expect(summary.scans.length).toBeGreaterThan(0);
    }

    // The batched form (concurrent reads in one statement): a page per requested stream,
    // each through the same index, here three pages of the one long stream (the last of 11 events) and a missing one.
    const batched = nodes(
      await explain(executor, streamPagesSql(schema), [
        [STREAM, STREAM, 'none-1', STREAM],
        [1, EVENTS / 2, 1, EVENTS - 10],
        [PAGE, PAGE, PAGE, PAGE],
      ]),
    );
    const eventScans = batched.filter((node) => node['Index Name'] !== undefined);
    expect(eventScans.map(scanOf)).toEqual(
      eventScans.map(() => 'index events_tenant_stream_version_key'),
    );
    expect(eventScans.length).toBeGreaterThan(0);
    expect(Math.max(...batched.map((node) => node['Actual Rows']))).toBe(PAGE * 2 + 11);
  }, 120_000);
});
