import { describe, expect, inject, it } from 'vitest';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  sumTo,
  totals,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';

// 60 deposits over 3 streams (acct-0 gets amounts 1, 4, 7, ...); amount 10 is poisoned
// (acct-0) until the flag is cleared.
const EVENTS = 60;
const POISON = 10;

describe.each(backendsFor(inject('databaseUrl')))('failure policies on $kind', (backend) => {
  it("given 'stop', when an event keeps failing, then the partition stops before it and says where and why; a restart after the fix goes on", async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(EVENTS, 3, 1, true);
    let poisoned = true;
    const projection = accountsProjection({ poison: { amount: POISON, active: () => poisoned } });
    const runner = fx.runner([projection], { batchSize: { min: 16, max: 16 } });
    await runner.start();
    const [failed] = await waitForStatus(runner, (s) => s.state === 'failed');
    expect(failed?.error).toMatchObject({
      message: `poisoned amount ${POISON}`,
      stream: 'acct-0',
      type: 'Deposited',
    });
    expect(failed?.lagEvents).toBe(EVENTS - POISON + 1);
    expect(await totals(runner)).toMatchObject({ events: POISON - 1, balance: sumTo(POISON - 1) });
    expect(await runner.deadLetters.list()).toEqual([]);
    await runner.stop();
    poisoned = false;
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(await totals(runner)).toEqual({
      balance: sumTo(EVENTS),
      events: EVENTS,
      ledger: EVENTS,
    });
  });

  it("given 'skip', when an event keeps failing, then it is dead-lettered and every other event applied; a retry after the fix completes the fold", async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(EVENTS, 3, 1, true);
    let poisoned = true;
    const runner = fx.runner(
      [
        accountsProjection({
          onFailure: 'skip',
          poison: { amount: POISON, active: () => poisoned },
        }),
      ],
      { batchSize: { min: 16, max: 16 } },
    );
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    const letters = await runner.deadLetters.list('accounts');
    expect(letters).toMatchObject([
      {
        name: 'accounts',
        version: 1,
        partition: 0,
        parked: false,
        error: `poisoned amount ${POISON}`,
      },
    ]);
    expect(letters[0]?.event).toMatchObject({
      type: 'Deposited',
      stream: 'acct-0',
      data: { amount: POISON },
    });
    expect(await totals(runner)).toMatchObject({
      events: EVENTS - 1,
      balance: sumTo(EVENTS) - POISON,
    });
    await expect(runner.deadLetters.retry('accounts')).rejects.toThrow(`poisoned amount ${POISON}`);
    expect(await runner.deadLetters.list()).toHaveLength(1);
    poisoned = false;
    expect(await runner.deadLetters.retry(letters[0]!.id)).toBe(1);
    expect(await runner.deadLetters.list()).toEqual([]);
    expect(await totals(runner)).toEqual({
      balance: sumTo(EVENTS),
      events: EVENTS,
      ledger: EVENTS,
    });
  });

  it("given 'park', when an event keeps failing, then it and its stream's later events are dead-lettered, other streams go on; a retry restores the fold and unparks", async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(EVENTS, 3, 1, true);
    let poisoned = true;
    const runner = fx.runner(
      [
        accountsProjection({
          onFailure: 'park',
          poison: { amount: POISON, active: () => poisoned },
        }),
      ],
      { batchSize: { min: 16, max: 16 } },
    );
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    const letters = await runner.deadLetters.list();
    const parkedAmounts = letters.map((l) => (l.event.data as { amount: number }).amount);
    // acct-0 holds amounts 1, 4, 7, 10, 13, ...: from 10 on, all of them are parked.
    const expected = Array.from({ length: EVENTS }, (_, i) => i + 1).filter(
      (a) => a % 3 === 1 && a >= POISON,
    );
    expect(parkedAmounts).toEqual(expected);
    expect(letters.every((l) => l.parked && l.event.stream === 'acct-0')).toBe(true);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(await totals(runner)).toMatchObject({
      events: EVENTS - expected.length,
      balance: sumTo(EVENTS) - sum(expected),
    });
    poisoned = false;
    expect(await runner.deadLetters.retry('accounts')).toBe(expected.length);
    expect(await totals(runner)).toEqual({
      balance: sumTo(EVENTS),
      events: EVENTS,
      ledger: EVENTS,
    });
    // Unparked: the stream's next event is applied, not dead-lettered.
    await fx.store.append('acct-0', [{ type: 'Deposited', data: { amount: 1_000 } }]);
    const head = await fx.store.headPosition();
    await waitForStatus(runner, (s) => s.position === head);
    expect(await runner.deadLetters.list()).toEqual([]);
    expect((await totals(runner)).balance).toBe(sumTo(EVENTS) + 1_000);
  });
});
