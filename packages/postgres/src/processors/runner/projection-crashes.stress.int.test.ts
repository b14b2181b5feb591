import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../../scripts/reliability/report-figures.ts';
import { startRunnerChild } from '../../../test-support/projection-child.ts';
import {
  createLedgerTables,
  dropRunnerSchemas,
  foldAccounts,
  ledgerCounts,
  ledgerTables,
  migrateRunnerSchema,
  readAccounts,
} from '../../../test-support/projection-ledger.ts';
import { readEverything, seedDeposits } from '../../../test-support/projection-seed.ts';
import { scaled, sleep, waitUntil } from '../../../test-support/stress.ts';

// Issue 4, "Exactly-once under crashes": a runner in a child process is SIGKILLed at
// random points 20+ times during a 100k-event catch-up and restarted each time. The
// projection writes a read model and a ledger of applied event ids in the runner's batch
// transaction; at the end the read model equals a fold from scratch and the ledger holds
// every event id exactly once. CI kills it 8 times; DUET_FULL=1 the 22 docs/reliability.md
// reports.

const STREAMS = 1_000;
const EVENTS_PER_STREAM = 100;
const EVENTS = STREAMS * EVENTS_PER_STREAM; // 100,000
const KILLS = scaled(8, 22);
const KILL_AFTER_MS = { min: 100, max: 1_500 };
// Slows the read model down so that KILLS restarts happen before the catch-up ends.
const APPLY_DELAY_MS_PER_EVENT = 0.12;
const CATCH_UP_TIMEOUT_MS = 180_000;

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('projection runner under crashes (PostgreSQL)', () => {
  it(`given ${EVENTS} events, when the runner process is SIGKILLed ${KILLS} times at random points of the catch-up and restarted each time, then the read model equals the fold and every event is applied exactly once`, async () => {
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
      concurrency: 32,
    });
    expect(seeded).toBe(EVENTS);

    const name = 'accounts';
    const progress: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const child = startRunnerChild(url, schema, `run-${kill}`, {
        name,
        applyDelayMsPerEvent: APPLY_DELAY_MS_PER_EVENT,
      });
      try {
        await child.next('starting');
        await sleep(randomBetween(KILL_AFTER_MS.min, KILL_AFTER_MS.max));
      } finally {
        await child.kill();
      }
      const { distinct } = await ledgerCounts(executor, schema);
      progress.push(distinct);
      // Every kill must land during the catch-up, or it proves nothing.
      expect(
        distinct,
        `caught up already after ${kill} kills: ${progress.join(', ')}`,
      ).toBeLessThan(EVENTS);
    }

    const last = startRunnerChild(url, schema, 'final', { name });
    try {
      await last.next('started');
      await waitUntil(async () => (await ledgerCounts(executor, schema)).distinct >= EVENTS, {
        timeoutMs: CATCH_UP_TIMEOUT_MS,
        what: () => `the catch-up after ${KILLS} kills; ${last.stderr()}`,
      });
      // Let the runner write its final checkpoint and go live before a clean stop.
      await sleep(500);
      expect(await last.stop()).toBe(0);
    } finally {
      await last.kill();
    }

    const counts = await ledgerCounts(executor, schema);
    const events = await readEverything(store, EVENTS);
    expect(events).toHaveLength(EVENTS);
    expect(counts).toEqual({ rows: EVENTS, distinct: EVENTS });
    const ids = new Set(events.map((event) => event.id));
    const { rows: stray } = await executor.query<{ event_id: string }>(
      `SELECT event_id::text FROM ${ledgerTables(schema).ledger}`,
    );
    const accounts = await readAccounts(executor, schema);
    reportFigures('S2', {
      events: EVENTS,
      kills: KILLS,
      killsAfterProgress: progress.filter((n, at) => n > (progress[at - 1] ?? 0)).length,
      missing: EVENTS - counts.distinct,
      duplicated: counts.rows - counts.distinct,
      unknownApplied: stray.filter((row) => !ids.has(row.event_id)).length,
      readModelEqualsFold: JSON.stringify(accounts) === JSON.stringify(foldAccounts(events)),
    });
    expect(stray.filter((row) => !ids.has(row.event_id))).toEqual([]);
    expect(accounts).toEqual(foldAccounts(events));
    // Progress was made between kills (the checkpoint survived them).
    expect(progress.at(-1)).toBeGreaterThan(0);
    console.info(`distinct applied after each kill: ${progress.join(', ')}`);
  }, 300_000);
});

function randomBetween(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
