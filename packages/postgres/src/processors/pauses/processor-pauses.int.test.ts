import { DuetError } from '@duet/core';
import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { testMetrics } from '../../../test-support/processor-metrics.ts';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  type RunnerFixture,
  sumTo,
  totals,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import type { BatchReport } from '../processor-types.ts';
import { processorReadiness } from '../status/processor-readiness.ts';

/**
 * Resolves once the runner has renewed its heartbeat `beats` more times: it has been
 * through that many status intervals (each re-reads the pauses), and its workers through
 * at least as many poll intervals, so a paused one that would move has had its chances.
 */
async function afterHeartbeats(fx: RunnerFixture, beats: number): Promise<void> {
  const read = async () => {
    const { rows } = await fx.executor.query<{ at: string | null }>(
      `SELECT max(heartbeat_at)::text AS at FROM "${fx.runnerSchema}".owners`,
    );
    return rows[0]?.at ?? null;
  };
  let last = await read();
  for (let seen = 0; seen < beats; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await read();
    if (now !== last) {
      seen += 1;
      last = now;
    }
  }
}

describe.each(backendsFor(inject('databaseUrl')))('pause and resume on $kind', (backend) => {
  it('given a live projection, when another handle pauses it, then its partitions say paused (by whom), new events wait unapplied and the process stays ready; on resume it catches up', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(20);
    const batches: BatchReport[] = [];
    const runner = fx.runner([accountsProjection({ partitions: 2 })], {
      statusIntervalMs: 100,
      onBatch: (batch) => batches.push(batch),
    });
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    // An operator's handle that runs nothing (a CLI, the console in another process).
    const { meterProvider, gauge } = testMetrics();
    const operator = fx.runner([accountsProjection({ partitions: 2 })], { meterProvider });
    expect(await gauge('duet.processor.paused')).toEqual({ 'accounts#0': 0, 'accounts#1': 0 });
    const pause = await operator.pause('accounts', { by: 'alice' });
    expect(pause).toMatchObject({ name: 'accounts', pausedBy: 'alice' });
    const paused = await waitForStatus(operator, (s) => s.state === 'paused');
    expect(paused).toHaveLength(2);
    for (const s of paused) {
      expect(s).toMatchObject({ health: 'paused', paused: { at: pause.pausedAt, by: 'alice' } });
      expect(s.reason).toMatch(/^paused by alice since /);
    }

    const before = batches.length;
    await fx.deposit(10);
    await waitForStatus(runner, (s) => s.state === 'paused', 20_000, undefined);
    const waiting = await waitForStatus(operator, (s) => s.lagEvents > 0, 20_000, undefined, true);
    await afterHeartbeats(fx, 3);
    expect(batches.length).toBe(before);
    expect(await totals(runner)).toMatchObject({ events: 20, balance: sumTo(20) });
    expect(waiting.reduce((sum, s) => sum + s.lagEvents, 0)).toBe(10);
    expect(processorReadiness(await operator.status()).ready).toBe(true);
    expect(await gauge('duet.processor.paused')).toEqual({ 'accounts#0': 1, 'accounts#1': 1 });
    expect(await gauge('duet.processor.stalled')).toEqual({ 'accounts#0': 0, 'accounts#1': 0 });
    // A second pause keeps the first one's time and author.
    expect(await operator.pause('accounts', { by: 'bob' })).toEqual(pause);

    await operator.resume('accounts');
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(await totals(runner)).toEqual({ balance: sumTo(30), events: 30, ledger: 30 });
    const resumed = await operator.status();
    expect(resumed.every((s) => s.health === 'healthy' && s.paused === undefined)).toBe(true);
  }, 120_000);

  it('given a pause its runner has not heard of yet, when events arrive, then the batch is refused by the pause in its own transaction and the runner learns of it there', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(5);
    const lines: { msg?: string }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const batches: BatchReport[] = [];
    // No status interval within the test: only the batch's fence can tell the runner.
    const runner = fx.runner([accountsProjection()], {
      statusIntervalMs: 600_000,
      onBatch: (batch) => batches.push(batch),
      logger,
    });
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    const before = batches.length;
    // Paused as a pause lands before its NOTIFY does: the row only.
    await fx.executor.query(
      `UPDATE "${fx.runnerSchema}".projections SET paused_at = now(), paused_by = 'sql' WHERE name = 'accounts'`,
    );
    await fx.deposit(5);
    while (!lines.some((line) => line.msg?.startsWith('processor paused'))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(batches.length).toBe(before);
    expect(await totals(runner)).toMatchObject({ events: 5, balance: sumTo(5) });
  }, 60_000);

  it('given a paused projection, when a runner starts, then it applies nothing until resumed: a pause outlives restarts', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(10);
    const first = fx.runner([accountsProjection()]);
    await first.start();
    await waitForStatus(first, (s) => s.state === 'live' && s.lagEvents === 0);
    await first.pause('accounts');
    await waitForStatus(first, (s) => s.state === 'paused');
    await first.stop();

    await fx.deposit(5);
    const batches: BatchReport[] = [];
    const second = fx.runner([accountsProjection()], {
      statusIntervalMs: 100,
      onBatch: (batch) => batches.push(batch),
    });
    await second.start();
    await waitForStatus(second, (s) => s.state === 'paused' && s.lagEvents === 5);
    await afterHeartbeats(fx, 3);
    expect(batches).toEqual([]);
    expect((await totals(second)).events).toBe(10);
    await second.resume('accounts');
    await waitForStatus(second, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(await totals(second)).toEqual({ balance: sumTo(15), events: 15, ledger: 15 });
  }, 120_000);

  it('given a paused projection, when it is rebuilt, then the reset happens and it stays paused until resumed, then replays everything once', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(12);
    const runner = fx.runner([accountsProjection()], { statusIntervalMs: 100 });
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    await runner.pause('accounts');
    await waitForStatus(runner, (s) => s.state === 'paused');
    await runner.rebuild('accounts');
    const [after] = await waitForStatus(runner, (s) => s.state === 'paused' && s.lagEvents === 12);
    expect(after?.applied).toBe(0);
    expect((await totals(runner)).events).toBe(0);
    await runner.resume('accounts');
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(await totals(runner)).toEqual({ balance: sumTo(12), events: 12, ledger: 12 });
  }, 120_000);

  it('given a name no runner has set up, when it is paused or resumed, then UNKNOWN_PROJECTION and nothing changes', async () => {
    await using fx = await openRunnerFixture(backend);
    const runner = fx.runner([accountsProjection()]);
    await runner.start();
    const refused = await runner.pause('nope').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DuetError);
    expect(refused).toMatchObject({ code: 'UNKNOWN_PROJECTION' });
    await expect(runner.resume('nope')).rejects.toMatchObject({ code: 'UNKNOWN_PROJECTION' });
    const [status] = await runner.status();
    expect(status?.paused).toBeUndefined();
  }, 120_000);
});

describe.each(backendsFor(inject('databaseUrl')))('skipping dead letters on $kind', (backend) => {
  it("given a dead letter under 'skip', when it is skipped by id, then it is gone and its event never reaches the read model", async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(30, 3, 1, true);
    const runner = fx.runner(
      [accountsProjection({ onFailure: 'skip', poison: { amount: 7, active: () => true } })],
      { batchSize: { min: 8, max: 8 } },
    );
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    const [letter] = await runner.deadLetters.list('accounts');
    expect(letter?.event.data).toEqual({ amount: 7 });
    expect(await runner.deadLetters.skip(letter!.id)).toBe(1);
    expect(await runner.deadLetters.list()).toEqual([]);
    expect(await totals(runner)).toEqual({ balance: sumTo(30) - 7, events: 29, ledger: 29 });
    expect(await runner.deadLetters.skip(letter!.id)).toBe(0);
  }, 120_000);

  it("given a parked stream under 'park', when its dead letters are skipped, then the stream goes on with its next event", async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(30, 3, 1, true);
    const runner = fx.runner(
      [accountsProjection({ onFailure: 'park', poison: { amount: 10, active: () => true } })],
      { batchSize: { min: 8, max: 8 } },
    );
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    const parked = await runner.deadLetters.list();
    // acct-0 holds 1, 4, 7, 10, ...: 10 and every later one of acct-0 are parked.
    expect(parked.map((l) => (l.event.data as { amount: number }).amount)).toEqual([
      10, 13, 16, 19, 22, 25, 28,
    ]);
    expect(await runner.deadLetters.skip('accounts')).toBe(7);
    await fx.store.append('acct-0', [{ type: 'Deposited', data: { amount: 1_000 } }]);
    const head = await fx.store.headPosition();
    await waitForStatus(runner, (s) => s.position === head);
    expect(await runner.deadLetters.list()).toEqual([]);
    const skippedSum = 10 + 13 + 16 + 19 + 22 + 25 + 28;
    expect((await totals(runner)).balance).toBe(sumTo(30) - skippedSum + 1_000);
  }, 120_000);
});

describe('the docs example (docs/projections.md)', () => {
  it('given a runner, when an operator pauses, resumes and skips, then each does what the docs say', async () => {
    await using fx = await openRunnerFixture({ kind: 'pglite' });
    await fx.deposit(12, 3, 1, true);
    const processors = fx.runner([
      accountsProjection({ onFailure: 'skip', poison: { amount: 4, active: () => true } }),
    ]);
    await processors.start();
    await waitForStatus(processors, (s) => s.state === 'live' && s.lagEvents === 0);
    const [letter] = await processors.deadLetters.list();
    const id = letter!.id;
    // #region pause
    await processors.pause('accounts', { by: 'alice' }); // every runner, in any process
    await waitForStatus(processors, (s) => s.state === 'paused'); // after its batch in flight
    const [status] = await processors.status(); // health 'paused', paused: { at, by: 'alice' }
    await processors.resume('accounts'); // on from its checkpoint
    await processors.deadLetters.skip(id); // or a name: all of its dead letters, unhandled
    // #endregion pause
    expect(status).toMatchObject({ health: 'paused', paused: { by: 'alice' } });
    await waitForStatus(processors, (s) => s.state === 'live');
    expect(await processors.deadLetters.list()).toEqual([]);
  }, 120_000);
});
