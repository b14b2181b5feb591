import { newEventId } from '@duet/core';
import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import { describe, expect, inject, it } from 'vitest';
import { reportFigures } from '../../../../../scripts/reliability/report-figures.ts';
import { leaseEvents, overlaps, tenures } from '../../../test-support/lease-log.ts';
import { type RunnerChild, startRunnerChild } from '../../../test-support/projection-child.ts';
import {
  createLedgerTables,
  DEPOSITED,
  dropRunnerSchemas,
  foldAccounts,
  ledgerCounts,
  migrateRunnerSchema,
  readAccounts,
} from '../../../test-support/projection-ledger.ts';
import { readEverything } from '../../../test-support/projection-seed.ts';
import { sleep, waitUntil } from '../../../test-support/stress.ts';

// Issue 4, "Partitions", and issue 13, S8: three runner processes share a projection split
// into partitions by stream while writers append. The owner of one partition after another
// is SIGKILLed and a new process started in its place (20 kills under DUET_FULL=1). From
// the lease log the children print: no partition has two owners at any instant, and the
// victim's partitions are acquired by another runner within the documented bound,
// claimIntervalMs plus a batch. At the end every committed event is applied exactly once.

const FULL = process.env.DUET_FULL === '1';
const PROCESSES = 3;
const PARTITIONS = 6;
const STREAMS = 36;
const WRITERS = 4;
const WRITE_PAUSE_MS = 10;
const KILLS = FULL ? 20 : 3;
const CLAIM_INTERVAL_MS = 2_000; // the default, which the docs state
const TARGET_BATCH_MS = 250; // the default: the runner sizes batches to take about this long
// docs/projections.md: "takeover takes at most claimIntervalMs plus a batch", a batch being
// up to twice targetBatchMs (the runner halves one that took longer). Measured: kill to
// acquire up to 2,250 ms on a loaded 2-core machine, over claimIntervalMs plus one target.
const TAKEOVER_BOUND_MS = CLAIM_INTERVAL_MS + 2 * TARGET_BATCH_MS;
// At CI scale, on a shared and busy machine, the bound is reported, not asserted: a loose
// limit still catches a takeover that does not happen.
const TAKEOVER_LIMIT_MS = FULL ? TAKEOVER_BOUND_MS : 10_000;
const WAIT_MS = 30_000;

const databaseUrl = inject('databaseUrl');

describe.skipIf(databaseUrl === null)('partitioned projection across processes', () => {
  it(
    `given ${PROCESSES} runner processes sharing ${PARTITIONS} partitions under continuous writes, when the owner of a partition is SIGKILLed ${KILLS} times, then no partition has two owners at once, another takes over within ${TAKEOVER_LIMIT_MS} ms, and no event is applied twice or lost`,
    async () => {
      const url = databaseUrl as string;
      await using db = await openTestDatabase({ kind: 'postgres', url });
      const { executor, schema } = db;
      await using store = createPostgresEventStore({ executor, schema });
      await createLedgerTables(executor, schema);
      await migrateRunnerSchema(executor, schema);
      await using _schemas = { [Symbol.asyncDispose]: () => dropRunnerSchemas(executor, schema) };

      const children: RunnerChild[] = [];
      const killedAt = new Map<string, number>();
      const live = () => children.filter((child) => !killedAt.has(child.worker));
      const start = () => {
        const child = startRunnerChild(url, schema, `worker-${children.length}`, {
          name: 'accounts',
          partitions: PARTITIONS,
          claimIntervalMs: CLAIM_INTERVAL_MS,
          targetBatchMs: TARGET_BATCH_MS,
        });
        children.push(child);
        return child;
      };
      const events = (child: RunnerChild) => leaseEvents(child.worker, child.logs());
      const heldBy = (child: RunnerChild) =>
        tenures(events(child))
          .filter((tenure) => tenure.to === Number.POSITIVE_INFINITY)
          .map((tenure) => tenure.partition);
      const heldByLive = () => live().flatMap(heldBy);
      try {
        for (let p = 0; p < PROCESSES; p++) start();
        await Promise.all(children.map((child) => child.next('started')));

        const committed: string[] = [];
        let writing = true;
        const writer = async (w: number) => {
          for (let n = 0; writing; n++) {
            const id = newEventId();
            await store.append(`acct-${Math.floor(Math.random() * STREAMS)}`, [
              { id, type: DEPOSITED, data: { amount: w * 100_000 + n + 1 } },
            ]);
            committed.push(id);
            await sleep(WRITE_PAUSE_MS);
          }
        };
        const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

        const takeovers: number[] = [];
        for (let kill = 0; kill < KILLS; kill++) {
          await waitUntil(
            async () =>
              new Set(heldByLive()).size === PARTITIONS &&
              (await ledgerCounts(executor, schema)).distinct > 0,
            {
              timeoutMs: WAIT_MS,
              what: () => `every partition to be held (held: ${heldByLive().join(', ')})`,
            },
          );
          const partition = kill % PARTITIONS;
          const victim = live().find((child) => heldBy(child).includes(partition));
          if (!victim) throw new Error(`no live runner holds partition ${partition}`);
          const taken = heldBy(victim);
          const at = Date.now();
          killedAt.set(victim.worker, at);
          await victim.kill();
          const replacementStarted = start().next('started'); // before its line can come
          // The first acquire, after the kill, of each of the victim's partitions by another.
          const takenOver = () =>
            taken.map((p) => {
              const times = live()
                .flatMap(events)
                .filter((e) => e.partition === p && e.kind === 'acquired' && e.at >= at)
                .map((e) => e.at);
              return times.length === 0 ? null : Math.min(...times) - at;
            });
          await waitUntil(async () => takenOver().every((ms) => ms !== null), {
            timeoutMs: WAIT_MS,
            what: () => `partitions ${taken.join(', ')} of ${victim.worker} to be taken over`,
          });
          takeovers.push(Math.max(...takenOver().map(Number)));
          await replacementStarted;
        }

        writing = false;
        await writers;
        // A runner that joined last takes the surplus the others give back on its next
        // claim round: until then a partition may be unheld (never held twice).
        // Taken when every partition was held: a later claim round may hand one over again.
        let held: number[] = [];
        await waitUntil(
          async () => {
            held = heldByLive();
            return new Set(held).size === PARTITIONS;
          },
          {
            timeoutMs: WAIT_MS,
            what: () => `every partition to be held at the end (held: ${heldByLive().join(', ')})`,
          },
        );
        await waitUntil(
          async () => (await ledgerCounts(executor, schema)).distinct >= committed.length,
          { timeoutMs: WAIT_MS, what: () => `the runners to apply all ${committed.length} events` },
        );

        const all = children.flatMap((child) => tenures(events(child), killedAt.get(child.worker)));
        const { partitionsHeldTwice, overlapsMs } = overlaps(all);
        const counts = await ledgerCounts(executor, schema);
        const stored = await readEverything(store, committed.length);
        const maxTakeoverMs = Math.max(...takeovers);
        console.info(
          `${KILLS} kills; takeovers (ms): ${takeovers.join(', ')}; bound ${TAKEOVER_BOUND_MS} ms; ` +
            `${all.length} tenures, ${partitionsHeldTwice} partitions held twice`,
        );
        reportFigures('S8', {
          processes: PROCESSES,
          partitions: PARTITIONS,
          events: committed.length,
          kills: KILLS,
          maxTakeoverMs,
          takeoverBoundMs: TAKEOVER_BOUND_MS,
          takeoversOverBound: takeovers.filter((ms) => ms > TAKEOVER_BOUND_MS).length,
          tenures: all.length,
          partitionsHeldTwice,
          overlapsMs,
          missing: committed.length - counts.distinct,
          duplicated: counts.rows - counts.distinct,
        });
        expect(maxTakeoverMs).toBeLessThanOrEqual(TAKEOVER_LIMIT_MS);
        expect({ partitionsHeldTwice, overlapsMs }).toEqual({
          partitionsHeldTwice: 0,
          overlapsMs: 0,
        });
        expect(counts).toEqual({ rows: committed.length, distinct: committed.length });
        expect(stored.map((event) => event.id).sort()).toEqual([...committed].sort());
        expect(await readAccounts(executor, schema)).toEqual(foldAccounts(stored));
        expect(held.sort((a, b) => a - b)).toEqual(Array.from({ length: PARTITIONS }, (_, p) => p));
        for (const child of live()) expect(await child.stop()).toBe(0);
      } finally {
        await Promise.all(children.map((child) => child.kill()));
      }
    },
    FULL ? 600_000 : 120_000,
  );
});
