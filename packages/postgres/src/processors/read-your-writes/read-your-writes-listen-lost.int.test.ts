import { randomBytes } from 'node:crypto';
import type { Position } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import {
  listenBackends,
  terminateBackend,
  waitForListenBackend,
  withApplicationName,
} from '../../../test-support/listen-backend.ts';
import {
  accountsProjection,
  openRunnerFixture,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import { createPgExecutor } from '../../executor/pg-executor.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { createProjectionConsistency } from './projection-consistency.ts';

const databaseUrl = inject('databaseUrl');

const hour = 3_600_000;

// Issue 13: a lost LISTEN connection was tested only for the store's subscribe. The
// waiter behind `processors.waitForPosition` (createProjectionConsistency) re-checks the
// checkpoints on the runners' NOTIFY; here it re-checks only hourly otherwise, and its
// deadline is an hour away, so a waiter whose LISTEN did not come back would hang.
describe.runIf(databaseUrl !== null)('read-your-writes on postgres, LISTEN connection lost', () => {
  it('given a waiter, when its LISTEN backend is terminated and the projection then reaches the position, then the wait still resolves, and so does the next one', async () => {
    await using fx = await openRunnerFixture({ kind: 'postgres', url: databaseUrl! });
    const runner = fx.runner([accountsProjection()], { pollIntervalMs: 50 });
    await runner.start();
    await waitForStatus(runner, (s) => s.state === 'live');
    await runner.stop();
    const { position } = await fx.store.append('acct-1', [
      { type: 'Deposited', data: { amount: 5 } },
    ]);

    // The waiter on a connection of its own, so that only its LISTEN is cut.
    const applicationName = `duet_ryw_${randomBytes(5).toString('hex')}`;
    await using waiterDb = createPgExecutor({
      connectionString: withApplicationName(databaseUrl!, applicationName),
      max: 2,
    });
    // Counts the waiter's looks at the checkpoints, to know when it has looked and sleeps.
    let looks = 0;
    const counted: SqlExecutor = {
      ...waiterDb,
      query: async <Row>(sql: string, params?: readonly unknown[]) => {
        const result = await waiterDb.query<Row>(sql, params);
        looks++;
        return result;
      },
    };
    const lookedAfter = async (before: number) => {
      while (looks === before) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const consistency = createProjectionConsistency({
      executor: counted,
      schema: fx.runnerSchema,
      pollIntervalMs: hour,
    });
    const waitFor = (minPosition: Position) =>
      consistency.wait({
        projections: ['accounts'],
        minPosition,
        tokens: [],
        timeoutMs: hour,
        queryType: 'Balance',
      });
    try {
      const waiting = waitFor(position);
      await lookedAfter(0); // it found the checkpoint behind: now it sleeps until woken
      const lost = await waitForListenBackend(fx.executor, applicationName);
      expect(await terminateBackend(fx.executor, lost)).toBe(true);

      // The checkpoint moves while the waiter's LISTEN is down or just back: either its
      // NOTIFY arrives on the new connection or the re-check after reconnecting sees it.
      await runner.start();
      await waiting;
      const reconnected = await waitForListenBackend(fx.executor, applicationName, lost);
      expect(reconnected).not.toBe(lost);

      // The new connection LISTENs again: a later wait resolves on its NOTIFY.
      await runner.stop();
      const { position: next } = await fx.store.append('acct-1', [
        { type: 'Deposited', data: { amount: 6 } },
      ]);
      const seen = looks;
      const waitingAgain = waitFor(next);
      await lookedAfter(seen);
      await runner.start();
      await waitingAgain;
      expect(await listenBackends(fx.executor, applicationName)).toEqual([reconnected]);
    } finally {
      await consistency.close();
    }
  }, 60_000);
});
