import { describe, expect, inject, it } from 'vitest';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  sumTo,
  totals,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import { projectionTables } from '../../read-models/projection-tables.ts';
import { createPageReader } from '../runner/read-event-page.ts';
import { registerProjection } from './register-processor.ts';
import { switchVersion } from './switch-version.ts';

describe.each(backendsFor(inject('databaseUrl')))('blue-green and replay on $kind', (backend) => {
  it('given v1 serving, when v2 is deployed, then queries answer from v1 during the rebuild, switch to v2 at once, and v1 tables are gone', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(2_000, 10, 20);
    const v1 = fx.runner([accountsProjection({ version: 1 })]);
    await v1.start();
    await waitForStatus(v1, (s) => s.state === 'live' && s.lagEvents === 0);
    const before = await totals(v1);
    expect(before.events).toBe(2_000);

    // v2 rebuilds in small batches; v1 keeps running beside it in the same runner.
    const both = fx.runner(
      [accountsProjection({ version: 1 }), accountsProjection({ version: 2 })],
      {
        batchSize: { min: 20, max: 20 },
      },
    );
    await v1.stop();
    await both.start();
    // Every answer is whole: from v1 while v2 rebuilds, from v2 once it has switched.
    let fromV1 = 0;
    let progress = 0;
    for (;;) {
      const v2 = (await both.status()).find((s) => s.version === 2);
      if (v2?.state !== 'rebuilding') break;
      progress = Math.max(progress, v2.rebuild?.eventsDone ?? 0);
      const model = await both.readModel('accounts');
      const answer = await totals(both);
      expect(answer.events).toBe(2_000);
      if (model.version === 1) fromV1++;
      // On PGlite every query here resolves without I/O: let the runner's turn (it yields
      // to the event loop between batches) come, or this loop would starve it.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fromV1).toBeGreaterThan(0);
    expect(progress).toBeGreaterThan(0);
    await waitForStatus(
      both,
      (s) => s.version === 2 && s.active && s.state === 'live',
      10_000,
      'accounts',
      true,
    );
    expect((await both.readModel('accounts')).version).toBe(2);
    expect(await totals(both)).toEqual({ balance: sumTo(2_000), events: 2_000, ledger: 2_000 });
    // After the grace period the old version's tables and checkpoints are dropped.
    const deadline = Date.now() + 5_000;
    let left: unknown[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ({ rows: left } = await fx.executor.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'accounts_v1%'`,
        [fx.readModelSchema],
      ));
    } while (left.length > 0 && Date.now() < deadline);
    expect(left).toEqual([]);
    const statuses = await both.status();
    expect(statuses.map((s) => [s.version, s.active])).toEqual([[2, true]]);
    // v2 keeps following live.
    await fx.deposit(10, 2);
    const head = await fx.store.headPosition();
    await waitForStatus(both, (s) => s.position === head);
    expect((await totals(both)).events).toBe(2_010);
  });

  it('given a newer version active, when an old runner starts, then the old version does not run', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(20, 2);
    const v2 = fx.runner([accountsProjection({ version: 2 })]);
    await v2.start();
    await waitForStatus(v2, (s) => s.state === 'live' && s.lagEvents === 0);
    await v2.stop();
    const old = fx.runner([accountsProjection({ version: 1 })]);
    await old.start();
    expect((await old.status()).map((s) => [s.version, s.owned])).toEqual([[2, false]]);
    expect((await old.readModel('accounts')).version).toBe(2);
  });

  it('given a live projection, when rebuilt from a position, then its tables hold only the events after it; from a time, the events since then', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(30, 3);
    const middle = await fx.store.headPosition();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = new Date();
    await fx.deposit(20, 2);
    const runner = fx.runner([accountsProjection()]);
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect((await totals(runner)).events).toBe(50);

    await runner.rebuild('accounts', { from: middle });
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(await totals(runner)).toEqual({
      balance: sumTo(50) - sumTo(30),
      events: 20,
      ledger: 20,
    });

    await runner.rebuild('accounts', { from: since });
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect((await totals(runner)).events).toBe(20);

    await runner.rebuild('accounts');
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    expect(await totals(runner)).toEqual({ balance: sumTo(50), events: 50, ledger: 50 });
    expect((await runner.status())[0]?.applied).toBe(50);
  });

  it('given v2 live but behind v1, when the switch runs with a catch-up, then it applies the missing events under its lock and switches', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(30, 3);
    const v1 = fx.runner([accountsProjection({ version: 1 })]);
    await v1.start();
    const [serving] = await waitForStatus(v1, (s) => s.state === 'live' && s.lagEvents === 0);
    await v1.stop();
    const v2 = accountsProjection({ version: 2 });
    const { registration } = await registerProjection(
      fx.executor,
      fx.runnerSchema,
      fx.readModelSchema,
      v2,
    );
    expect(registration).toBe('building');
    await fx.executor.query(
      `UPDATE "${fx.runnerSchema}".checkpoints SET state = 'live' WHERE name = 'accounts' AND version = 2`,
    );
    expect(await switchVersion(fx.executor, fx.runnerSchema, v2)).toBe(false);
    const catchUp = {
      reader: createPageReader(fx.executor, fx.db.schema, v2, 0, undefined),
      tables: projectionTables(fx.readModelSchema, 'accounts', 2),
    };
    expect(await switchVersion(fx.executor, fx.runnerSchema, v2, catchUp)).toBe(true);
    const { rows } = await fx.executor.query<{ position: string; applied: string }>(
      `SELECT position, applied::text AS applied FROM "${fx.runnerSchema}".checkpoints WHERE name = 'accounts' AND version = 2`,
    );
    expect(rows).toEqual([{ position: serving?.position, applied: '30' }]);
    expect((await v1.readModel('accounts')).version).toBe(2);
    expect(await totals(v1)).toEqual({ balance: sumTo(30), events: 30, ledger: 30 });
  });
});
