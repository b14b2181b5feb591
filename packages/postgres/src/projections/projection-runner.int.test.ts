import { describe, expect, inject, it } from 'vitest';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  sumTo,
  totals,
  waitForStatus,
} from './projection-runner.fixture.ts';

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
});
