import { ConcurrencyError, newEventId, type RecordedEvent } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';
import { sleep } from '../../test-support/stress.ts';
import { createPgExecutor } from '../executor/pg-executor.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { openTestDatabase } from '../testing/index.ts';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store.ts';

// Per-stream order inside the global order: for every stream, readAll must deliver its
// versions in increasing order. Before the per-stream lock in append_events, a transaction
// could take its id, wait for another's row lock on the stream, and then write the later
// version with the smaller id: projections that fold in delivery order saw version 5
// before version 4. Few streams and many writers make those races frequent: group-commit
// batches from several stores (app instances), and caller transactions that write first
// (so they hold an id before appending), sleep at random and sometimes roll back.

const STORES = 3;
const BATCH_WRITERS_PER_STORE = 12;
const BATCH_APPENDS = 3_000;
const TRANSACTION_WRITERS = 12;
const TRANSACTIONS = 600;
const STREAMS = 6;
const MAX_SLEEP_MS = 15;
const ROLLBACK_RATE = 0.05;

class Rollback extends Error {}

const databaseUrl = inject('databaseUrl');
// PGlite is one connection: its transactions (and their sleeps) run one after another, so
// it gets fewer of them.
const backends = [
  { kind: 'pglite' as const, stores: 1, scale: 0.25 },
  ...(databaseUrl === null
    ? []
    : [{ kind: 'postgres' as const, url: databaseUrl, stores: STORES, scale: 1 }]),
];

describe.each(backends)('per-stream order in the global order on $kind', (backend) => {
  it(`given ${STREAMS} streams, when group-committed appends and caller transactions with early writes and random sleeps race on them, then readAll delivers every stream's versions in increasing order`, async () => {
    await using db = await openTestDatabase(backend);
    const url = backend.kind === 'postgres' ? backend.url : undefined;
    const extra: SqlExecutor[] = Array.from({ length: backend.stores - 1 }, () =>
      createPgExecutor({ connectionString: url as string, max: 5 }),
    );
    const stores = [db.executor, ...extra].map((executor) =>
      createPostgresEventStore({ executor, schema: db.schema }),
    );
    await db.executor.query(`CREATE TABLE "${db.schema}".side_effects (n integer)`);
    const stop = new AbortController();
    try {
      // A reader polls while the writers run: appenders waiting on each other's stream
      // locks must not stall it, nor it them.
      let polled = 0;
      const reader = (async () => {
        while (!stop.signal.aborted) {
          for await (const _ of stores[0]!.readAll({ maxCount: 200 })) polled += 1;
          await sleep(1);
        }
      })();

      const committed = new Set<string>();
      let late = 0;
      let rolledBack = 0;
      const stream = () => `account-${randomInt(STREAMS)}`;

      let appends = 0;
      const batchWriter = async (store: PostgresEventStore) => {
        while (appends < BATCH_APPENDS * backend.scale) {
          appends += 1;
          const id = newEventId();
          await store.append(stream(), [{ id, type: 'Deposited', data: { amount: 1 } }]);
          committed.add(id);
        }
      };

      let transactions = 0;
      const transactionWriter = async (store: PostgresEventStore) => {
        while (transactions < TRANSACTIONS * backend.scale) {
          transactions += 1;
          const name = stream();
          const ids = Array.from({ length: 1 + randomInt(3) }, () => newEventId());
          const early = Math.random() < 0.5;
          try {
            await store.transaction(async (tx) => {
              // A write before the append gives the transaction its id early.
              if (early) await tx.query(`INSERT INTO "${db.schema}".side_effects VALUES (1)`);
              await sleep(randomInt(MAX_SLEEP_MS));
              await tx.append(
                name,
                ids.map((id) => ({ id, type: 'Deposited', data: { amount: 2 } })),
              );
              await sleep(randomInt(MAX_SLEEP_MS));
              if (Math.random() < ROLLBACK_RATE) throw new Rollback();
            });
            for (const id of ids) committed.add(id);
          } catch (error) {
            if (error instanceof Rollback) rolledBack += 1;
            // A newer transaction appended to the stream first: nothing was stored, and
            // the next round is a new transaction (with a new id).
            else if (error instanceof ConcurrencyError) late += 1;
            else throw error;
          }
        }
      };

      await Promise.all([
        ...stores.flatMap((store) =>
          Array.from({ length: BATCH_WRITERS_PER_STORE }, () => batchWriter(store)),
        ),
        ...Array.from({ length: TRANSACTION_WRITERS }, (_, i) =>
          transactionWriter(stores[i % stores.length]!),
        ),
      ]);
      stop.abort();
      await reader;

      const events: RecordedEvent[] = [];
      for await (const event of stores[0]!.readAll()) events.push(event);
      const lastVersion = new Map<string, number>();
      const inversions: string[] = [];
      for (const event of events) {
        const previous = lastVersion.get(event.stream) ?? 0;
        if (event.streamVersion !== previous + 1) {
          inversions.push(`${event.stream}: ${previous} then ${event.streamVersion}`);
        }
        lastVersion.set(event.stream, event.streamVersion);
      }
      console.info(
        `${backend.kind}: ${events.length} events on ${lastVersion.size} streams, ` +
          `${late} late transactions refused, ${rolledBack} rolled back, ${polled} read while writing`,
      );
      const read = new Set(events.map((event) => event.id));
      reportFigures('S1', {
        events: events.length,
        missing: [...committed].filter((id) => !read.has(id)).length,
        duplicated: events.length - read.size,
        streamOrderViolations: inversions.length,
      });
      expect(inversions.slice(0, 10)).toEqual([]);
      expect(events.map((event) => event.id).sort()).toEqual([...committed].sort());
      expect(polled).toBeGreaterThan(0);
    } finally {
      stop.abort();
      for (const store of stores) await store.close();
      for (const executor of extra) await executor.close();
    }
  }, 180_000);
});

function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}
