import {
  createQueryBus,
  defineQuery,
  defineQueryHandler,
  type Position,
  StaleReadError,
} from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import { scaled } from '../../../test-support/stress.ts';
import type { Processors } from '../open-processors.ts';

const Balance = defineQuery('Balance', {
  params: z.object({ stream: z.string() }),
  result: z.number(),
  projections: ['accounts'],
});

function balanceQueries(runner: Processors) {
  const handler = defineQueryHandler(Balance, async ({ stream }) => {
    const { tables, executor } = await runner.readModel('accounts');
    const { rows } = await executor.query<{ balance: string }>(
      `SELECT balance::text AS balance FROM ${tables.name('balances')} WHERE stream = $1`,
      [stream],
    );
    return Number(rows[0]?.balance ?? 0);
  });
  return createQueryBus({ handlers: [handler], consistency: runner.waitForPosition });
}

const databaseUrl = inject('databaseUrl');
const ROUNDS = scaled(300, 1_000);

describe.each(backendsFor(databaseUrl))('read-your-writes on $kind', (backend) => {
  it(`given a command then a query with its position, then the query sees the new state, ${ROUNDS} times in a row`, async () => {
    await using fx = await openRunnerFixture(backend);
    // A long poll interval: only notifications can keep each round trip short.
    const runner = fx.runner([accountsProjection()], { pollIntervalMs: 60_000 });
    await runner.start();
    const queries = balanceQueries(runner);
    for (let i = 1; i <= ROUNDS; i++) {
      const stream = `acct-${i % 7}`;
      const { position } = await fx.store.append(stream, [
        { type: 'Deposited', data: { amount: 1 } },
      ]);
      const balance = await queries.ask(
        Balance,
        { stream },
        { consistency: { minPosition: position, timeoutMs: 30_000 } },
      );
      expect(balance).toBe(Math.floor((i - (i % 7)) / 7) + (i % 7 === 0 ? 0 : 1));
    }
  }, 180_000);

  it('given a waiter, when the projection reaches the position later, then it resolves on the checkpoint notification', async () => {
    await using fx = await openRunnerFixture(backend);
    const runner = fx.runner([accountsProjection()]);
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live');
    await runner.stop();
    const { position } = await fx.store.append('acct-1', [
      { type: 'Deposited', data: { amount: 5 } },
    ]);
    const waiting = runner.waitForPosition({
      projections: ['accounts'],
      minPosition: position,
      tokens: [],
      timeoutMs: 10_000,
      queryType: 'Balance',
    });
    let resolved = false;
    void waiting.then(() => {
      resolved = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resolved).toBe(false);
    // Woken by the runner's checkpoint NOTIFY (how fast is a figure for bench lag; that a
    // notification alone wakes it is read-your-writes-listen-lost.int.test.ts).
    await runner.start();
    await waiting;
    expect(resolved).toBe(true);
  });

  it('given a projection that stays behind, when a query waits for a later position, then StaleReadError with where it got to', async () => {
    await using fx = await openRunnerFixture(backend);
    const runner = fx.runner([accountsProjection()]);
    await runner.start();
    const { position: reached } = await fx.store.append('acct-1', [
      { type: 'Deposited', data: { amount: 1 } },
    ]);
    await waitForStatus(runner, (s) => s.position === reached);
    await runner.stop();
    const { position } = await fx.store.append('acct-1', [
      { type: 'Deposited', data: { amount: 2 } },
    ]);
    const queries = balanceQueries(runner);
    const error = await queries
      .ask(
        Balance,
        { stream: 'acct-1' },
        { consistency: { minPosition: position, timeoutMs: 200 } },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleReadError);
    expect(error).toMatchObject({
      code: 'STALE_READ',
      queryType: 'Balance',
      minPosition: position,
      reached,
    });
    expect((error as StaleReadError).waitedMs).toBeGreaterThanOrEqual(200);
  });

  it('given a query over a projection nobody set up, when it waits, then StaleReadError without a position', async () => {
    await using fx = await openRunnerFixture(backend);
    const runner = fx.runner([accountsProjection()]);
    await runner.start();
    await expect(
      runner.waitForPosition({
        projections: ['nowhere'],
        minPosition: '0000000000000001-0000000000000001' as Position,
        tokens: [],
        timeoutMs: 50,
        queryType: 'Q',
      }),
    ).rejects.toMatchObject({ code: 'STALE_READ', reached: undefined });
  });
});

describe.skipIf(databaseUrl === null)('status on postgres', () => {
  it('given an appending transaction held open, then status shows the committed events behind it as lag and names the holder', async () => {
    await using fx = await openRunnerFixture({ kind: 'postgres', url: databaseUrl ?? '' });
    const runner = fx.runner([accountsProjection()]);
    await runner.start();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holderPid = 0;
    let opened = () => {};
    const isOpen = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const held = fx.store.transaction(async (tx) => {
      await tx.append('acct-9', [{ type: 'Deposited', data: { amount: 100 } }]);
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      holderPid = rows[0]!.pid;
      opened();
      await gate;
    });
    await isOpen;
    await fx.store.append('acct-1', [{ type: 'Deposited', data: { amount: 1 } }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [behind] = await runner.status();
    expect(behind).toMatchObject({ lagEvents: 1, heldBy: { pid: holderPid } });
    expect(behind?.heldBy?.ageMs).toBeGreaterThan(200);
    expect(behind?.lagMs).toBeGreaterThan(200);
    release();
    await held;
    const [caught] = await waitForStatus(runner, (s) => s.lagEvents === 0);
    expect(caught?.heldBy).toBeUndefined();
    expect(caught?.applied).toBe(2);
  });
});
