import type { ProcessorDefinition } from '@duet/core';
import { describe, expect, inject, it } from 'vitest';
import { testMetrics } from '../../../test-support/processor-metrics.ts';
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  type RunnerFixture,
} from '../../../test-support/processor-runner.ts';
import { startRunnerChild } from '../../../test-support/projection-child.ts';
import {
  createLedgerTables,
  dropRunnerSchemas,
  ledgerProjection,
  migrateRunnerSchema,
  runnerSchemas,
} from '../../../test-support/projection-ledger.ts';
import { createPostgresEventStore } from '../../event-store/postgres-event-store.ts';
import { openTestDatabase } from '../../testing/open-test-database.ts';
import { openProcessors, type Processors } from '../open-processors.ts';
import type { ProjectionStatus } from '../processor-types.ts';
import { processorReadiness } from './processor-readiness.ts';

// Issue 12, "A stall test": a projection blocked behind an open transaction, one stopped
// by a poisoned event, and a runner process killed with SIGKILL. Each time status,
// readiness (what /health/ready answers) and the duet.processor.* gauges say stalled or
// stopped. Nothing here waits for a set time: each test polls until the condition holds,
// bounded by its own timeout.

const databaseUrl = inject('databaseUrl');
const STALL_AFTER_MS = 200;

/** Polls `status()` until `check` holds for every row; the test's timeout bounds it. */
async function until(
  processors: Pick<Processors, 'status'>,
  check: (status: ProjectionStatus) => boolean,
  signal: AbortSignal,
): Promise<ProjectionStatus[]> {
  let last: ProjectionStatus[] = [];
  while (!signal.aborted) {
    last = await processors.status();
    if (last.length > 0 && last.every(check)) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`status never held: ${JSON.stringify(last, null, 1)}`);
}

/** A promise and the function that resolves it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Another process's view of the fixture's processors: status, readiness and gauges. */
function observe(fx: RunnerFixture, processors: readonly ProcessorDefinition[]) {
  const { meterProvider, gauge } = testMetrics();
  const observer = openProcessors({
    store: { executor: fx.executor, schema: fx.db.schema },
    schema: fx.runnerSchema,
    readModelSchema: fx.readModelSchema,
    processors,
    stallAfterMs: STALL_AFTER_MS,
    meterProvider,
  });
  return { observer, gauge };
}

describe.skipIf(databaseUrl === null)('stall detection on postgres', () => {
  it('given a live projection, when an appending transaction stays open while later events commit, then it is stalled naming that transaction, not ready, and its stalled gauge is 1; once the transaction commits it is healthy again', async ({
    signal,
  }) => {
    await using fx = await openRunnerFixture({ kind: 'postgres', url: databaseUrl! });
    await fx.deposit(10);
    const projection = accountsProjection();
    const runner = fx.runner([projection], { stallAfterMs: STALL_AFTER_MS });
    await runner.start();
    const { observer, gauge } = observe(fx, [projection]);
    await using _observer = observer;
    await until(observer, (s) => s.state === 'live' && s.lagEvents === 0, signal);
    expect(processorReadiness(await observer.status()).ready).toBe(true);
    expect(await gauge('duet.processor.stalled')).toEqual({ 'accounts#0': 0 });

    // An appender holds the schema's append lock with its transaction open: readers must
    // not pass it, so the checkpoint stands still while later commits move the head.
    const appended = gate();
    const release = gate();
    let holderPid = 0;
    const holder = fx.store.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      holderPid = rows[0]!.pid;
      await tx.append('acct-slow', [{ type: 'Deposited', data: { amount: 1_000 } }]);
      appended.open();
      await release.opened;
    });
    await appended.opened;
    await fx.deposit(5);

    const [stalled] = await until(observer, (s) => s.health === 'stalled', signal);
    expect(stalled).toMatchObject({
      name: 'accounts',
      health: 'stalled',
      lagEvents: 5,
      heldBy: { pid: holderPid },
      ownedBy: expect.any(String),
    });
    expect(stalled!.stuckMs).toBeGreaterThanOrEqual(STALL_AFTER_MS);
    expect(stalled!.reason).toMatch(
      new RegExp(
        `^its position has not moved for .+ while 5 events wait; committed events wait behind the transaction of pid ${holderPid}, open .+$`,
      ),
    );
    expect(processorReadiness(await observer.status())).toEqual({
      ready: false,
      details: [
        expect.objectContaining({
          name: 'accounts',
          health: 'stalled',
          reason: expect.stringMatching(/^accounts v1 is stalled: its position has not moved/),
        }),
      ],
    });
    expect(await gauge('duet.processor.stalled')).toEqual({ 'accounts#0': 1 });
    expect(await gauge('duet.processor.stopped')).toEqual({ 'accounts#0': 0 });
    expect(await gauge('duet.processor.lag')).toEqual({ 'accounts#0': 5 });

    release.open();
    await holder;
    await until(observer, (s) => s.health === 'healthy' && s.lagEvents === 0, signal);
    expect(processorReadiness(await observer.status()).ready).toBe(true);
    expect(await gauge('duet.processor.stalled')).toEqual({ 'accounts#0': 0 });
  });

  it('given a runner process working a projection, when it is killed with SIGKILL, then once its heartbeat record expires its partition is stopped naming that heartbeat, not ready, and its stopped gauge is 1', async ({
    signal,
  }) => {
    const url = databaseUrl!;
    await using db = await openTestDatabase({ kind: 'postgres', url });
    const { executor, schema } = db;
    await using _schemas = { [Symbol.asyncDispose]: () => dropRunnerSchemas(executor, schema) };
    await createLedgerTables(executor, schema);
    await migrateRunnerSchema(executor, schema);
    await using store = createPostgresEventStore({ executor, schema });
    await store.append('acct-1', [{ type: 'Deposited', data: { amount: 5 } }]);
    const name = 'accounts';
    const { meterProvider, gauge } = testMetrics();
    const { schema: runnerSchema, readModelSchema } = runnerSchemas(schema);
    const accounts = ledgerProjection({ name, schema, worker: 'observer' });
    // #region stall-detection
    await using observer = openProcessors({
      store: { executor, schema },
      schema: runnerSchema,
      readModelSchema,
      processors: [accounts],
      stallAfterMs: STALL_AFTER_MS, // default 30_000: above your slowest batch
      meterProvider, // default: the global one of @opentelemetry/api
    });
    // What @duet/http's `readiness` option takes: 503 while a partition is stalled or stopped.
    const readiness = async () => processorReadiness(await observer.status(), { maxLagMs: 5_000 });
    // #endregion stall-detection

    // Its record expires after 5 status intervals without a beat: 0.5 s here.
    const child = startRunnerChild(url, schema, 'doomed', { name, statusIntervalMs: 100 });
    try {
      await child.next('started');
      const [live] = await until(
        observer,
        (s) => s.state === 'live' && s.lagEvents === 0 && s.health === 'healthy',
        signal,
      );
      expect((await readiness()).ready).toBe(true);
      expect(await gauge('duet.processor.stopped')).toEqual({ 'accounts#0': 0 });
      await child.kill();
      await store.append('acct-1', [{ type: 'Deposited', data: { amount: 6 } }]);

      // A dead runner may read 'stalled' first (its record has not expired yet): never healthy.
      const [stopped] = await until(observer, (s) => s.health === 'stopped', signal);
      expect(stopped).toMatchObject({ state: 'stopped', health: 'stopped', lagEvents: 1 });
      expect(stopped).not.toHaveProperty('ownedBy');
      expect(stopped!.reason).toMatch(
        new RegExp(`^no runner works it: the last heartbeat, from ${live!.ownedBy}, is .+ old$`),
      );
      expect(await readiness()).toEqual({
        ready: false,
        details: [
          expect.objectContaining({
            health: 'stopped',
            reason: expect.stringMatching(/^accounts v1 is stopped: no runner works it/),
          }),
        ],
      });
      expect(await gauge('duet.processor.stopped')).toEqual({ 'accounts#0': 1 });
      expect(await gauge('duet.processor.stalled')).toEqual({ 'accounts#0': 0 });
    } finally {
      await child.kill();
    }
  });
});

describe.each(backendsFor(databaseUrl))('stall detection on $kind', (backend) => {
  it("given a projection under policy 'stop', when it meets a poisoned event, then it is stalled at once naming the event, not ready, and its stalled gauge is 1", async ({
    signal,
  }) => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(5, 5, 1, true);
    const projection = accountsProjection({
      onFailure: 'stop',
      poison: { amount: 3, active: () => true },
    });
    const runner = fx.runner([projection], { stallAfterMs: 3_600_000 });
    await runner.start();
    const { observer, gauge } = observe(fx, [projection]);
    await using _observer = observer;

    // On a slow backend the retries before the failure may outlast STALL_AFTER_MS: it
    // reads 'stalled' (position unmoved) before it reads 'failed'.
    const [stalled] = await until(observer, (s) => s.state === 'failed', signal);
    expect(stalled).toMatchObject({
      state: 'failed',
      health: 'stalled',
      lagEvents: 3,
      ownedBy: expect.any(String),
      reason: expect.stringMatching(/^failed on Deposited \S+ in acct-2: poisoned amount 3$/),
    });
    // Failed means stalled at once: the runner itself says it will not move.
    expect((await runner.status())[0]).toMatchObject({ health: 'stalled', state: 'failed' });
    expect(processorReadiness(await observer.status())).toMatchObject({
      ready: false,
      details: [{ reason: expect.stringMatching(/^accounts v1 is stalled: failed on Deposited/) }],
    });
    expect(await gauge('duet.processor.stalled')).toEqual({ 'accounts#0': 1 });
  });
});
