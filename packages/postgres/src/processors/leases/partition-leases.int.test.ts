import { describe, expect, inject, it } from 'vitest';
import {
  accountsProjection,
  openRunnerFixture,
  sumTo,
  totals,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import type { Processors } from '../open-processors.ts';
import { openProcessors } from '../open-processors.ts';

const databaseUrl = inject('databaseUrl');

const owned = async (runner: Processors) =>
  (await runner.status()).filter((s) => s.owned).map((s) => s.partition);

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(databaseUrl === null)('partition leases on postgres', () => {
  it('given two runners with leases, then they share the partitions; when one stops, the other takes its partitions over', async () => {
    await using fx = await openRunnerFixture({ kind: 'postgres', url: databaseUrl ?? '' });
    await fx.deposit(400, 16, 4);
    const leases = { connectionString: databaseUrl ?? '', claimIntervalMs: 200, heartbeatMs: 200 };
    const projection = accountsProjection({ partitions: 4 });
    const a = fx.runner([projection], { leases });
    const b = fx.runner([projection], { leases });
    await a.start();
    await b.start();
    // a took all four before b joined; at b's claims a gives back its surplus.
    await until(async () => (await owned(a)).length === 2 && (await owned(b)).length === 2, 10_000);
    expect([...(await owned(a)), ...(await owned(b))].sort()).toEqual([0, 1, 2, 3]);
    await waitForStatus(a, (s) => s.state === 'live' && s.lagEvents === 0);
    await a.stop();
    // Takeover time is S8's figure (npm run reliability), not an assertion here.
    await until(async () => (await owned(b)).length === 4, 10_000);
    await fx.deposit(100, 16, 4);
    await waitForStatus(b, (s) => s.lagEvents === 0 && s.state === 'live');
    expect(await totals(b)).toEqual({ balance: sumTo(500), events: 500, ledger: 500 });
  });

  it('given leases on PGlite, then the option is refused', () => {
    const pglite = {
      kind: 'pglite',
      query: async () => ({ rows: [] }),
      transaction: async () => undefined,
      listen: async () => async () => {},
      close: async () => {},
    } as unknown as SqlExecutor;
    expect(() =>
      openProcessors({
        store: { executor: pglite },
        projections: [accountsProjection()],
        leases: { connectionString: 'postgres://x' },
      }),
    ).toThrow('option leases');
  });
});
