import type { Position } from '@duet/core';
import {
  createPostgresEventStore,
  openProcessors,
  type Processors,
  type SqlExecutor,
} from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../../scripts/reliability/report-figures.ts';
import { type RunnerChild, startRunnerChild } from '../../../test-support/projection-child.ts';
import {
  createLedgerTables,
  dropRunnerSchemas,
  foldAccounts,
  ledgerCounts,
  ledgerProjection,
  ledgerTables,
  migrateRunnerSchema,
  readAccounts,
  runnerSchemas,
} from '../../../test-support/projection-ledger.ts';
import { readEverything, seedDeposits } from '../../../test-support/projection-seed.ts';
import { sleep, waitUntil } from '../../../test-support/stress.ts';

// Issue 13, S2: "kill -9 during a rebuild". A projection is built and live in a runner
// child process; a rebuild is requested from this process (the child takes it on the
// NOTIFY, resets the read model in the request's transaction and replays), and the child
// is SIGKILLed at random moments of the replay, restarted each time. A restarted runner
// must go on from the rebuild's checkpoint: it applies more events, the earlier runs'
// applies stay (a second reset would empty the ledger) and it starts after the last event
// they applied. At the end the read model equals the fold and every event is applied once.

const FULL = process.env.DUET_FULL === '1';
const STREAMS = FULL ? 1_000 : 40;
const EVENTS_PER_STREAM = 100;
const EVENTS = STREAMS * EVENTS_PER_STREAM; // 100,000 (DUET_FULL=1) or 4,000
const KILLS = FULL ? 20 : 3;
// Each kill lands this long after the restarted runner's first applied batch.
const KILL_JITTER_MS = FULL ? 800 : 300;
// Slows the replay down so that KILLS restarts happen before it ends.
const APPLY_DELAY_MS_PER_EVENT = FULL ? 0.2 : 1;
const PROGRESS_TIMEOUT_MS = 30_000;

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('projection rebuild under crashes (PostgreSQL)', () => {
  it(`given a live projection of ${EVENTS} events, when a rebuild is requested and its runner is SIGKILLed ${KILLS} times during the replay and restarted each time, then each restart goes on from the checkpoint, the read model equals the fold and every event is applied exactly once`, async () => {
    const url = databaseUrl as string;
    await using db = await openTestDatabase({ kind: 'postgres', url });
    const { executor, schema } = db;
    await using store = createPostgresEventStore({ executor, schema });
    await createLedgerTables(executor, schema);
    await migrateRunnerSchema(executor, schema);
    await using _schemas = { [Symbol.asyncDispose]: () => dropRunnerSchemas(executor, schema) };
    const seeded = await seedDeposits(store, {
      streams: STREAMS,
      eventsPerStream: EVENTS_PER_STREAM,
      perAppend: 20,
      concurrency: 16,
    });
    expect(seeded).toBe(EVENTS);
    const events = await readEverything(store, EVENTS);
    const name = 'accounts';
    const local = (worker: string) =>
      openProcessors({
        store: { executor, schema },
        ...runnerSchemas(schema),
        projections: [ledgerProjection({ name, schema, worker, clearOnSetup: true })],
      });

    // Given: built at full speed here, then live in a slow child.
    await using builder = local('build');
    await catchUp(builder, events.at(-1)?.position);
    await builder.stop();
    expect(await ledgerCounts(executor, schema)).toEqual({ rows: EVENTS, distinct: EVENTS });
    const childOptions = {
      name,
      applyDelayMsPerEvent: APPLY_DELAY_MS_PER_EVENT,
      clearOnSetup: true,
    };
    let child: RunnerChild = startRunnerChild(url, schema, 'rebuild-1', childOptions);

    const progress: number[] = [];
    try {
      await waitUntil(async () => isLive(child.lastStatus()), {
        timeoutMs: PROGRESS_TIMEOUT_MS,
        what: () => `the first child to go live; ${child.stderr()}`,
      });
      // When: the rebuild is asked of the live runner.
      const request = await builder.rebuildRequests.request(name);
      await waitUntil(
        async () => (await builder.rebuildRequests.get(request.id))?.state !== 'pending',
        {
          timeoutMs: PROGRESS_TIMEOUT_MS,
          what: () => `the child to take the rebuild request; ${child.stderr()}`,
        },
      );
      const taken = await builder.rebuildRequests.get(request.id);
      expect(taken).toMatchObject({
        state: 'done',
        doneBy: expect.stringContaining(`:${child.process.pid}:`),
      });

      for (let kill = 1; kill <= KILLS; kill++) {
        if (kill > 1) child = startRunnerChild(url, schema, `rebuild-${kill}`, childOptions);
        const before = progress.at(-1) ?? 0;
        await waitUntil(async () => (await ledgerCounts(executor, schema)).distinct > before, {
          timeoutMs: PROGRESS_TIMEOUT_MS,
          what: () => `progress of ${child.worker} past ${before}; ${child.stderr()}`,
        });
        await sleep(Math.floor(Math.random() * KILL_JITTER_MS));
        await child.kill();
        const run = await runOf(executor, schema, child.worker);
        progress.push(run.others + run.mine);
        // Then: it went on from the checkpoint: earlier applies kept, nothing before them again.
        expect(run.others, `applies of earlier runs after kill ${kill}`).toBe(before);
        expect(run.mine, `events ${child.worker} applied`).toBeGreaterThan(0);
        if (run.lastBefore !== null) expect(run.firstMine > run.lastBefore).toBe(true);
        // Every kill must land during the replay, or it proves nothing.
        expect(
          progress.at(-1),
          `replayed already after ${kill} kills: ${progress.join(', ')}`,
        ).toBeLessThan(EVENTS);
      }
      expect(await builder.rebuildRequests.get(request.id)).toEqual(taken);
    } finally {
      await child.kill();
    }

    await using finisher = local('final');
    await catchUp(finisher, events.at(-1)?.position);
    await finisher.stop();

    const counts = await ledgerCounts(executor, schema);
    const ids = new Set(events.map((event) => event.id));
    const { rows: applied } = await executor.query<{ event_id: string }>(
      `SELECT event_id::text FROM ${ledgerTables(schema).ledger}`,
    );
    const accounts = await readAccounts(executor, schema);
    reportFigures('S2', {
      rebuildEvents: EVENTS,
      rebuildKills: KILLS,
      rebuildKillsAfterProgress: progress.filter((n, at) => n > (progress[at - 1] ?? 0)).length,
      missing: EVENTS - counts.distinct,
      duplicated: counts.rows - counts.distinct,
      unknownApplied: applied.filter((row) => !ids.has(row.event_id)).length,
      readModelEqualsFold: JSON.stringify(accounts) === JSON.stringify(foldAccounts(events)),
    });
    expect(counts).toEqual({ rows: EVENTS, distinct: EVENTS });
    expect(applied.filter((row) => !ids.has(row.event_id))).toEqual([]);
    expect(accounts).toEqual(foldAccounts(events));
    console.info(`distinct applied by the rebuild after each kill: ${progress.join(', ')}`);
  }, 300_000);
});

async function catchUp(processors: Processors, head: Position | undefined): Promise<void> {
  await processors.start();
  if (head === undefined) return;
  await processors.waitForPosition({
    projections: ['accounts'],
    minPosition: head,
    tokens: [],
    timeoutMs: 120_000,
    queryType: 'test',
  });
}

function isLive(status: unknown): boolean {
  return Array.isArray(status) && status.some((s: { state?: unknown }) => s.state === 'live');
}

/** What the ledger says of one run against the runs before it. */
async function runOf(executor: SqlExecutor, schema: string, worker: string) {
  const { rows } = await executor.query<{
    mine: string;
    others: string;
    first_mine: string | null;
    last_before: string | null;
  }>(
    `SELECT count(*) FILTER (WHERE worker = $1)::text AS mine,
            count(*) FILTER (WHERE worker <> $1)::text AS others,
            min(position) FILTER (WHERE worker = $1) AS first_mine,
            max(position) FILTER (WHERE worker <> $1) AS last_before
       FROM ${ledgerTables(schema).ledger}`,
    [worker],
  );
  const row = rows[0];
  return {
    mine: Number(row?.mine ?? 0),
    others: Number(row?.others ?? 0),
    firstMine: row?.first_mine ?? '',
    lastBefore: row?.last_before ?? null,
  };
}
