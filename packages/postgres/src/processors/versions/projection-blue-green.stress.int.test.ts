import {
  defineProjection,
  type ProjectionTx,
  type RecordedEvent,
  START_POSITION,
} from '@duet/core';
import { createPostgresEventStore, openProcessors, type Processors } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../../scripts/reliability/report-figures.ts';
import {
  DEPOSITED,
  dropRunnerSchemas,
  migrateRunnerSchema,
  runnerSchemas,
} from '../../../test-support/projection-ledger.ts';
import { readEverything, seedDeposits } from '../../../test-support/projection-seed.ts';
import { sleep, waitUntil } from '../../../test-support/stress.ts';

// Issue 4, "Blue-green: queries keep answering from v1 during a v2 rebuild, switch to v2
// at once, and v1's tables are gone afterwards". A loop keeps querying the active version
// (resolved through `runner.readModel`) while a second runner builds version 2; every
// answer must be complete (all events counted) and carry the version it came from.

const STREAMS = 200;
const EVENTS_PER_STREAM = 100;
const EVENTS = STREAMS * EVENTS_PER_STREAM; // 20,000
// Makes the v2 rebuild last a few seconds, so the loop queries all through it.
const V2_DELAY_MS_PER_EVENT = 0.15;
const DROP_DELAY_MS = 300;
const QUERY_PAUSE_MS = 5;
const WAIT_MS = 60_000;
const NAME = 'totals';

const databaseUrl = inject('databaseUrl');

interface Answer {
  readonly version: number;
  readonly rowsVersion: number | null;
  readonly events: number;
  readonly streams: number;
}

describe.skipIf(databaseUrl === null)('blue-green projection versions', () => {
  it(`given v1 serving ${EVENTS} events, when v2 is rebuilt beside it under a query loop, then every answer is complete and from v1 until the switch, from v2 after it, and v1's tables are dropped`, async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
    const { executor, schema } = db;
    await using store = createPostgresEventStore({ executor, schema });
    await using _schemas = { [Symbol.asyncDispose]: () => dropRunnerSchemas(executor, schema) };
    await migrateRunnerSchema(executor, schema);
    await seedDeposits(store, {
      streams: STREAMS,
      eventsPerStream: EVENTS_PER_STREAM,
      perAppend: 20,
      concurrency: 16,
    });
    const head = (await readEverything(store, EVENTS)).at(-1)?.position ?? START_POSITION;
    const options = {
      store: { executor, schema },
      ...runnerSchemas(schema),
      dropDelayMs: DROP_DELAY_MS,
    };
    await using blue = openProcessors({ ...options, projections: [totals(1, 0)] });
    await blue.start();
    await blue.waitForPosition({
      projections: [NAME],
      minPosition: head,
      tokens: [],
      timeoutMs: WAIT_MS,
      queryType: 'test',
    });
    const v1 = await blue.readModel(NAME);
    expect(v1.version).toBe(1);
    const v1Table = v1.tables.name('totals');
    expect(await ask(blue)).toEqual({
      version: 1,
      rowsVersion: 1,
      events: EVENTS,
      streams: STREAMS,
    });

    const answers: Answer[] = [];
    const errors: unknown[] = [];
    let querying = true;
    const loop = (async () => {
      while (querying) {
        try {
          answers.push(await ask(blue));
        } catch (error) {
          errors.push(error);
        }
        await sleep(QUERY_PAUSE_MS);
      }
    })();

    await using green = openProcessors({
      ...options,
      projections: [totals(2, V2_DELAY_MS_PER_EVENT)],
    });
    const progress: number[] = [];
    try {
      await green.start();
      await waitFor(async () => {
        const status = (await green.status()).find((s) => s.name === NAME && s.version === 2);
        if (status?.rebuild) progress.push(status.rebuild.eventsDone);
        return status?.active === true;
      });
      const switchedAt = answers.length;
      await sleep(DROP_DELAY_MS * 3);
      expect(answers.length).toBeGreaterThan(switchedAt);
    } finally {
      querying = false;
      await loop;
    }

    const firstV2 = answers.findIndex((answer) => answer.version === 2);
    reportFigures('S8', {
      rebuildEvents: EVENTS,
      queriesDuringRebuild: answers.length,
      queryErrors: errors.length,
      incompleteAnswers: answers.filter(
        (answer, i) =>
          answer.events !== EVENTS ||
          answer.streams !== STREAMS ||
          answer.rowsVersion !== answer.version ||
          answer.version !== (i < firstV2 || firstV2 < 0 ? 1 : 2),
      ).length,
    });
    expect(errors).toEqual([]);
    console.info(
      `${answers.length} answers: ${firstV2} from v1 during the rebuild, then v2; rebuild progress seen: ${progress.join(', ')}`,
    );
    expect(firstV2).toBeGreaterThan(10);
    for (const [i, answer] of answers.entries()) {
      const version = i < firstV2 ? 1 : 2;
      expect(answer, `answer ${i}`).toEqual({
        version,
        rowsVersion: version,
        events: EVENTS,
        streams: STREAMS,
      });
    }
    expect(progress.some((done) => done > 0 && done < EVENTS)).toBe(true);
    expect((await blue.readModel(NAME)).version).toBe(2);
    await waitFor(async () => !(await exists(executor, v1Table)));
    const { rows } = await executor.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [runnerSchemas(schema).readModelSchema],
    );
    expect(rows.map((row) => row.table_name)).toEqual([`${NAME}_v2__totals`]);
  }, 120_000);
});

/** One row per stream: events counted, amounts summed, and the version that wrote it. */
function totals(version: number, delayMsPerEvent: number) {
  return defineProjection({
    name: NAME,
    version,
    events: [DEPOSITED],
    async setup(tx, t) {
      await tx.query(`CREATE TABLE ${t.name('totals')} (
        stream text PRIMARY KEY, events bigint NOT NULL, total bigint NOT NULL, v integer NOT NULL
      )`);
    },
    async apply(tx, events, t) {
      if (delayMsPerEvent > 0) {
        await tx.query('SELECT pg_sleep($1)', [(delayMsPerEvent * events.length) / 1000]);
      }
      await upsertTotals(tx, t.name('totals'), events, version);
    },
  });
}

async function upsertTotals(
  tx: ProjectionTx,
  table: string,
  events: readonly RecordedEvent[],
  version: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO ${table} AS t (stream, events, total, v)
     SELECT u.stream, count(*), sum(u.amount), $3
       FROM unnest($1::text[], $2::bigint[]) AS u(stream, amount)
      GROUP BY u.stream
     ON CONFLICT (stream) DO UPDATE
       SET events = t.events + excluded.events, total = t.total + excluded.total`,
    [
      events.map((event) => event.stream),
      events.map((event) => (event.data as { amount: number }).amount),
      version,
    ],
  );
}

/** The query: resolve the active version, then read its table. */
async function ask(runner: Processors): Promise<Answer> {
  const model = await runner.readModel(NAME);
  const { rows } = await model.executor.query<{
    streams: string;
    events: string | null;
    v: number | null;
  }>(
    `SELECT count(*)::text AS streams, sum(events)::text AS events, max(v) AS v
       FROM ${model.tables.name('totals')}`,
  );
  const row = rows[0];
  return {
    version: model.version,
    rowsVersion: row?.v ?? null,
    events: Number(row?.events ?? 0),
    streams: Number(row?.streams ?? 0),
  };
}

async function exists(tx: ProjectionTx, table: string): Promise<boolean> {
  const { rows } = await tx.query<{ found: string | null }>(
    'SELECT to_regclass($1)::text AS found',
    [table],
  );
  return rows[0]?.found !== null && rows[0]?.found !== undefined;
}

const waitFor = (probe: () => Promise<boolean>) => waitUntil(probe, { timeoutMs: WAIT_MS });
