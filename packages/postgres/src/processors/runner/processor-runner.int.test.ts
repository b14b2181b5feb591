import { defineProjection, type RecordedEvent } from '@duet/core';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, inject, it } from 'vitest';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  sumTo,
  totals,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import { createPGliteExecutor } from '../../executor/pglite-executor.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { openTestDatabase } from '../../testing/open-test-database.ts';
import type { BatchReport } from '../processor-types.ts';

describe.each(backendsFor(inject('databaseUrl')))('projection runner on $kind', (backend) => {
  it('given events before start, when started, then it catches up; when more arrive, then it follows live', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(500, 10, 5);
    const runner = fx.runner([accountsProjection()], { batchSize: { min: 50, max: 400 } });
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(await totals(runner)).toEqual({ balance: sumTo(500), events: 500, ledger: 500 });
    await fx.deposit(30, 3);
    const head = await fx.store.headPosition();
    await waitForStatus(runner, (s) => s.position === head);
    expect(await totals(runner)).toEqual({ balance: sumTo(530), events: 530, ledger: 530 });
  });

  it('given an apply that throws half-way through a batch, then none of its writes and no checkpoint move survive', async () => {
    await using fx = await openRunnerFixture(backend);
    // In order: concurrent appends may commit in any order, and the assertions below
    // name the events by their place in the global order (amount 6 is the 6th).
    await fx.deposit(10, 1, 1, true);
    const events: RecordedEvent[] = [];
    for await (const event of fx.store.readAll()) events.push(event);
    // Writes row by row and throws after writing the 6th: the batch's transaction must
    // roll all of it back; narrowing then commits events 1-5 and stops before the 6th.
    const halfway = defineProjection({
      name: 'halfway',
      events: ['Deposited'],
      async setup(tx, t) {
        await tx.query(`CREATE TABLE ${t.name('seen')} (amount integer PRIMARY KEY)`);
      },
      async apply(tx, batch, t) {
        for (const event of batch) {
          const { amount } = event.data as { amount: number };
          await tx.query(`INSERT INTO ${t.name('seen')} VALUES ($1)`, [amount]);
          if (amount === 6) throw new Error('boom after writing');
        }
      },
    });
    const runner = fx.runner([halfway], { batchSize: { min: 10, max: 10 } });
    await runner.start();
    const [status] = await waitForStatus(runner, (s) => s.state === 'failed');
    expect(status).toMatchObject({
      position: events[4]!.position,
      lagEvents: 5,
      error: {
        eventId: events[5]!.id,
        eventPosition: events[5]!.position,
        message: 'boom after writing',
      },
    });
    const { tables, executor } = await runner.readModel('halfway');
    const { rows } = await executor.query<{ amount: number }>(
      `SELECT amount FROM ${tables.name('seen')} ORDER BY amount`,
    );
    expect(rows.map((r) => r.amount)).toEqual([1, 2, 3, 4, 5]);
  });

  it('given the read model in another database than the store, then the checkpoint lives and moves beside the read model', async () => {
    await using fx = await openRunnerFixture(backend);
    const other = await openOtherDatabase(backend);
    try {
      await fx.deposit(200, 4, 10);
      const runner = fx.runner([accountsProjection()], { readModels: other.executor });
      await runner.start();
      await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
      const { executor } = await runner.readModel('accounts');
      expect(executor).toBe(other.executor);
      expect(await totals(runner)).toEqual({ balance: sumTo(200), events: 200, ledger: 200 });
      const local = await other.executor.query<{ position: string }>(
        `SELECT position FROM "${fx.runnerSchema}".checkpoints`,
      );
      expect(local.rows.map((r) => r.position)).toEqual([await fx.store.headPosition()]);
      // Nothing of the runner's in the store's database (on PostgreSQL the same server, other schemas).
      if (backend.kind === 'pglite') {
        const { rows } = await fx.executor.query(
          `SELECT 1 FROM pg_namespace WHERE nspname IN ($1, $2)`,
          [fx.runnerSchema, fx.readModelSchema],
        );
        expect(rows).toEqual([]);
      }
      await runner.stop();
    } finally {
      await other.dispose();
    }
  });

  it('given a long catch-up, then the batch size grows to the max; after failures it shrinks', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(3_000, 10, 50);
    const batches: BatchReport[] = [];
    let failing = false;
    const runner = fx.runner(
      [accountsProjection({ onFailure: 'skip', poison: { amount: 3_010, active: () => failing } })],
      { batchSize: { min: 10, max: 640 }, targetBatchMs: 5_000, onBatch: (b) => batches.push(b) },
    );
    await runner.start();
    await waitForStatus(runner, (s) => s.lagEvents === 0 && s.state === 'live');
    const sizes = batches.map((b) => b.batchSize);
    expect(sizes[0]).toBe(10);
    expect(Math.max(...sizes)).toBe(640);
    expect(sizes.slice(0, 7)).toEqual([10, 20, 40, 80, 160, 320, 640]);
    const [grown] = await runner.status();
    expect(grown?.batchSize).toBe(640);
    failing = true;
    await fx.deposit(20, 1);
    await waitForStatus(runner, (s) => s.lagEvents === 0);
    const [shrunk] = await runner.status();
    expect(shrunk?.batchSize).toBeLessThan(640);
    expect(
      (await runner.deadLetters.list()).map((d) => (d.event.data as { amount: number }).amount),
    ).toEqual([3_010]);
  });

  it('given a partitioned projection, then each partition has its own checkpoint and together they apply every event once', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(400, 16, 4);
    const runner = fx.runner([accountsProjection({ partitions: 3 })]);
    await runner.start();
    const statuses = await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(statuses.map((s) => [s.partition, s.partitions, s.owned])).toEqual([
      [0, 3, true],
      [1, 3, true],
      [2, 3, true],
    ]);
    expect(statuses.reduce((n, s) => n + s.applied, 0)).toBe(400);
    expect(statuses.every((s) => s.applied > 0)).toBe(true);
    expect(await totals(runner)).toEqual({ balance: sumTo(400), events: 400, ledger: 400 });
  });

  it('given status, then it reports position, head, lag and state; stopped after stop', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(50, 5);
    const runner = fx.runner([accountsProjection()]);
    await runner.start();
    const [live] = await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    const head = await fx.store.headPosition();
    expect(live).toMatchObject({
      name: 'accounts',
      version: 1,
      partition: 0,
      active: true,
      position: head,
      head,
      lagEvents: 0,
      lagMs: 0,
      applied: 50,
      owned: true,
    });
    expect(live?.heldBy).toBeUndefined();
    await runner.stop();
    await fx.deposit(5, 5);
    const [stopped] = await runner.status();
    expect(stopped).toMatchObject({ state: 'stopped', lagEvents: 5, owned: false });
    expect(stopped?.lagMs).toBeGreaterThanOrEqual(0);
  });
});

/** A second database: another PGlite instance, or another pool on PostgreSQL. */
async function openOtherDatabase(
  backend: Parameters<typeof openRunnerFixture>[0],
): Promise<{ executor: SqlExecutor; dispose(): Promise<void> }> {
  if (backend.kind === 'postgres') return openTestDatabase({ ...backend, migrate: false });
  const pglite = await PGlite.create();
  return { executor: createPGliteExecutor(pglite), dispose: () => pglite.close() };
}
