import { describe, expect, inject, it } from 'vitest';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  type RunnerFixture,
  sumTo,
  totals,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { openProcessors } from '../open-processors.ts';

// Status observable from any process, rebuild requests served by the owning runner, and
// status in a bounded number of queries (the CLI author's report against issues 4 and 5).

/** The store's executor, counting the statements it runs. */
function counting(executor: SqlExecutor): { executor: SqlExecutor; count: () => number } {
  let count = 0;
  return {
    executor: {
      kind: executor.kind,
      query: (sql, params) => {
        count++;
        return executor.query(sql, params);
      },
      transaction: (fn) => executor.transaction(fn),
      listen: (channel, onNotify) => executor.listen(channel, onNotify),
      close: () => executor.close(),
      [Symbol.asyncDispose]: () => executor.close(),
    },
    count: () => count,
  };
}

// An observer: the same processors opened in another process, not started.
const readerOf = (fx: RunnerFixture, executor = fx.executor) =>
  openProcessors({
    store: { executor, schema: fx.db.schema },
    readModels: fx.executor,
    schema: fx.runnerSchema,
    projections: [accountsProjection({ partitions: 3 })],
  });

describe.each(backendsFor(inject('databaseUrl')))('projection status on $kind', (backend) => {
  it('given no runner ever started, then status is an empty list, not an SQL error', async () => {
    await using fx = await openRunnerFixture(backend);
    expect(await readerOf(fx).status()).toEqual([]);
    expect(await fx.runner([accountsProjection()]).status()).toEqual([]);
  });

  it('given a runner working a projection, then an observer sees its recorded state, owner and position; stopped once it stops or its heartbeat is stale', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(90, 9, 3);
    const owner = fx.runner([accountsProjection({ partitions: 3 })], { statusIntervalMs: 60_000 });
    await owner.start();
    await waitForStatus(owner, (s) => s.state === 'live' && s.lagEvents === 0);
    const head = await fx.store.headPosition();
    const observer = fx.runner([accountsProjection({ partitions: 3 })]);
    const seen = await waitForStatus(
      observer,
      (s) => s.state === 'live' && s.ownedBy !== undefined,
    );
    const ownerId = (await owner.status())[0]?.ownedBy;
    expect(ownerId).toMatch(/^.+:\d+:[0-9a-f]{8}$/);
    expect(seen.map((s) => [s.partition, s.state, s.owned, s.ownedBy, s.head])).toEqual([
      [0, 'live', false, ownerId, head],
      [1, 'live', false, ownerId, head],
      [2, 'live', false, ownerId, head],
    ]);
    expect(seen.reduce((n, s) => n + s.applied, 0)).toBe(90);
    expect(await readerOf(fx).status()).toEqual(
      seen.map((s) => ({ ...s, lagMs: expect.any(Number) })),
    );

    // A runner that died without a word: its record expires (no beat for 60 s here).
    await fx.executor.query(
      `UPDATE "${fx.runnerSchema}".owners SET expires_at = now() - interval '1 second'`,
    );
    expect((await readerOf(fx).status()).map((s) => [s.state, s.ownedBy])).toEqual([
      ['stopped', undefined],
      ['stopped', undefined],
      ['stopped', undefined],
    ]);

    await owner.stop();
    const { rows } = await fx.executor.query(`SELECT 1 FROM "${fx.runnerSchema}".owners`);
    expect(rows).toEqual([]);
    expect((await observer.status()).map((s) => s.state)).toEqual([
      'stopped',
      'stopped',
      'stopped',
    ]);
  });

  it('given three partitions, then status asks the store once for head and every lag', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(60, 6, 3);
    const runner = fx.runner([accountsProjection({ partitions: 3 })]);
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    await runner.stop();
    await fx.deposit(30, 6, 3);
    const store = counting(fx.executor);
    const statuses = await readerOf(fx, store.executor).status();
    expect(statuses.reduce((n, s) => n + s.lagEvents, 0)).toBe(30);
    expect(store.count()).toBe(1);
  });

  it('given a rebuild requested from elsewhere, then the owning runner performs it and reports it done; the read model equals the fold', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(200, 10, 10);
    const owner = fx.runner([accountsProjection()]);
    await owner.start();
    const [before] = await waitForStatus(owner, (s) => s.state === 'live' && s.lagEvents === 0);
    const { rebuildRequests: requests } = readerOf(fx);
    const request = await requests.request('accounts');
    expect(request).toMatchObject({ name: 'accounts', state: 'pending' });
    const deadline = Date.now() + 10_000;
    let current = await requests.get(request.id);
    while (current?.state === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      current = await requests.get(request.id);
    }
    expect(current).toMatchObject({ state: 'done', doneBy: before?.ownedBy });
    expect(await requests.withdraw(request.id)).toBe(false);
    const observer = readerOf(fx);
    await waitForStatus(
      observer,
      (s) => s.state === 'live' && s.lagEvents === 0 && s.applied === 200,
    );
    expect(await totals(owner)).toEqual({ balance: sumTo(200), events: 200, ledger: 200 });

    // Nobody works 'ledger': the request waits, and its requester can take it back.
    const orphan = await requests.request('ledger');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await requests.get(orphan.id))?.state).toBe('pending');
    expect(await requests.withdraw(orphan.id)).toBe(true);
    expect(await requests.get(orphan.id)).toBeNull();
  });
});
