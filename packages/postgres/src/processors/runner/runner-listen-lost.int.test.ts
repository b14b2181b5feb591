import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import {
  terminateBackend,
  waitForListenBackend,
  withApplicationName,
} from '../../../test-support/listen-backend.ts';
import {
  accountsProjection,
  openRunnerFixture,
  totals,
} from '../../../test-support/processor-runner.ts';
import type { Processors } from '../open-processors.ts';

const databaseUrl = inject('databaseUrl');

/** Polls the read model until it holds `events` events; the test's timeout bounds it. */
async function untilApplied(runner: Processors, events: number): Promise<void> {
  while ((await totals(runner)).events < events) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(await totals(runner)).toMatchObject({ events, ledger: events });
}

// Issue 13: a lost LISTEN connection was tested only for the store's subscribe. The runner
// sleeps between batches until the store's NOTIFY wakes it; here the poll interval is an
// hour, so only the LISTEN (reconnected, with its re-read) can bring new events in.
describe.runIf(databaseUrl !== null)(
  'projection runner on postgres, LISTEN connection lost',
  () => {
    it('given a live projection, when the LISTEN backend that wakes it is terminated, then it reconnects and newly appended events still reach the projection', async () => {
      const applicationName = `duet_runner_${randomBytes(5).toString('hex')}`;
      await using fx = await openRunnerFixture({
        kind: 'postgres',
        url: withApplicationName(databaseUrl!, applicationName),
      });
      const runner = fx.runner([accountsProjection()], { pollIntervalMs: 3_600_000 });
      await runner.start();
      await fx.deposit(1);
      await untilApplied(runner, 1);

      const lost = await waitForListenBackend(fx.executor, applicationName);
      expect(await terminateBackend(fx.executor, lost)).toBe(true);
      // Appended while the listener may be down: the re-read after reconnecting finds it.
      await fx.deposit(1);
      await untilApplied(runner, 2);

      // A new LISTEN connection, and events appended now arrive through its NOTIFY.
      const reconnected = await waitForListenBackend(fx.executor, applicationName, lost);
      expect(reconnected).not.toBe(lost);
      await fx.deposit(1);
      await untilApplied(runner, 3);
      expect(await totals(runner)).toEqual({ balance: 6, events: 3, ledger: 3 });
    }, 60_000);
  },
);
