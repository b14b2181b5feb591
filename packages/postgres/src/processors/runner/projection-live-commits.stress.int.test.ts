import { ConcurrencyError, newEventId, START_POSITION } from '@duet/core';
import { createPostgresEventStore, openProcessors } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../../scripts/reliability/report-figures.ts';
import {
  createLedgerTables,
  DEPOSITED,
  dropRunnerSchemas,
  foldAccounts,
  ledgerCounts,
  ledgerProjection,
  ledgerTables,
  migrateRunnerSchema,
  readAccounts,
  runnerSchemas,
} from '../../../test-support/projection-ledger.ts';
import { readEverything } from '../../../test-support/projection-seed.ts';
import { sleep } from '../../../test-support/stress.ts';

// Issue 4, "No lost events under out-of-order commits while the projection runs live":
// writers whose transactions take random times (some take their transaction id first and
// commit last) and roll back 5% of the time append while the runner follows live. The
// projected set must equal the committed set: nothing skipped behind a late commit,
// nothing from a rolled-back transaction, nothing twice.

const WRITERS = 8;
const TRANSACTIONS_PER_WRITER = 60;
const STREAMS = 24;
const MAX_EVENTS_PER_TRANSACTION = 4;
const MAX_TRANSACTION_MS = 80;
const ROLLBACK_RATE = 0.05;
const LIVE_TIMEOUT_MS = 30_000;

const databaseUrl = inject('databaseUrl');

class Rollback extends Error {}

describe.skipIf(databaseUrl === null)('projection runner, live, out-of-order commits', () => {
  it(`given a live runner, when ${WRITERS} writers commit ${WRITERS * TRANSACTIONS_PER_WRITER} transactions of random length out of order with ${ROLLBACK_RATE * 100}% rollbacks, then the projected set equals the committed set`, async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl as string });
    const { executor, schema } = db;
    await using store = createPostgresEventStore({ executor, schema });
    await createLedgerTables(executor, schema);
    await migrateRunnerSchema(executor, schema);
    await using _schemas = { [Symbol.asyncDispose]: () => dropRunnerSchemas(executor, schema) };
    await using runner = openProcessors({
      store: { executor, schema },
      ...runnerSchemas(schema),
      projections: [ledgerProjection({ name: 'accounts', schema, worker: 'live' })],
    });
    await runner.start();

    const committed = new Set<string>();
    const rolledBack = new Set<string>();
    const writer = async (w: number) => {
      for (let t = 0; t < TRANSACTIONS_PER_WRITER; t++) {
        const stream = `acct-${randomInt(STREAMS)}`;
        const count = 1 + randomInt(MAX_EVENTS_PER_TRANSACTION);
        const ids = Array.from({ length: count }, () => newEventId());
        const early = Math.random() < 0.5;
        try {
          await store.transaction(async (tx) => {
            // Half the transactions take their id first and sleep before appending, the
            // others append first and sleep holding their uncommitted events.
            if (early) {
              await tx.query('SELECT pg_current_xact_id()');
              await sleep(randomInt(MAX_TRANSACTION_MS));
            }
            await tx.append(
              stream,
              ids.map((id, i) => ({
                id,
                type: DEPOSITED,
                data: { amount: w * 1_000 + t * 10 + i + 1 },
              })),
            );
            if (!early) await sleep(randomInt(MAX_TRANSACTION_MS));
            if (Math.random() < ROLLBACK_RATE) throw new Rollback();
          });
          for (const id of ids) committed.add(id);
        } catch (error) {
          // An early transaction id below a newer writer's on this stream: the store
          // refuses the append (it would land out of order); try again in a new transaction.
          if (error instanceof ConcurrencyError) {
            t -= 1;
            continue;
          }
          if (!(error instanceof Rollback)) throw error;
          for (const id of ids) rolledBack.add(id);
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

    const events = await readEverything(store, committed.size);
    await runner.waitForPosition({
      projections: ['accounts'],
      minPosition: events.at(-1)?.position ?? START_POSITION,
      tokens: [],
      timeoutMs: LIVE_TIMEOUT_MS,
      queryType: 'test',
    });

    const { rows } = await executor.query<{ event_id: string }>(
      `SELECT event_id::text FROM ${ledgerTables(schema).ledger}`,
    );
    const projected = rows.map((row) => row.event_id).sort();
    const fold = foldAccounts(events);
    const projectedSet = new Set(projected);
    reportFigures('S1', {
      projected: projected.length,
      projectedMissing: [...committed].filter((id) => !projectedSet.has(id)).length,
      projectedDuplicated: projected.length - projectedSet.size,
      projectedRolledBack: projected.filter((id) => rolledBack.has(id)).length,
      streamOrderViolations: fold.reduce((sum, account) => sum + account.gaps, 0),
    });
    expect(events.map((event) => event.id).sort()).toEqual([...committed].sort());
    expect(projected).toEqual([...committed].sort());
    expect(rolledBack.size).toBeGreaterThan(0);
    expect(projected.filter((id) => rolledBack.has(id))).toEqual([]);
    const counts = await ledgerCounts(executor, schema);
    expect(counts).toEqual({ rows: committed.size, distinct: committed.size });
    // The same fold in the store's global order: same per-stream order, same checksums.
    expect(await readAccounts(executor, schema)).toEqual(fold);
    // Per-stream order inside the global order: no stream's versions arrive out of order.
    const inversions = fold.reduce((sum, account) => sum + account.gaps, 0);
    expect(inversions).toBe(0);
  }, 120_000);
});

function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}
