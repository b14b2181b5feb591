// The projection runner of `bench lag --runner-process`, as a process of its own (as the
// shop's services deploy it): it projects the order summary until the bench sends 'stop',
// and reports each batch it committed and its pool's round trips to the bench over IPC.
import { createPgExecutor, openProcessors } from '@duet/postgres';
import { countingExecutor } from '../append/counting-executor.ts';
import { summaryProjection } from '../project/summary-projection.ts';
import type { RunnerChildMessage } from './runner-process.ts';

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  const [connectionString, schema] = process.argv.slice(2);
  if (!send || connectionString === undefined || schema === undefined) {
    throw new Error('runner-child.ts is started by the lag bench, not by hand');
  }
  const post = (message: RunnerChildMessage) => send(message);
  const counting = countingExecutor(createPgExecutor({ connectionString }));
  const runner = openProcessors({
    store: { executor: counting.executor, schema },
    readModels: counting.executor,
    projections: [summaryProjection],
    onBatch: (batch) =>
      post({
        kind: 'batch',
        ms: batch.ms,
        applied: batch.applied,
        roundTrips: counting.counts.roundTrips,
      }),
  });
  await runner.start();
  post({ kind: 'ready', pid: process.pid });
  await new Promise<void>((resolve) => {
    process.on('message', (message: unknown) => {
      if (message === 'stop') resolve();
    });
    // The bench died: stop with it rather than project forever.
    process.on('disconnect', resolve);
  });
  await runner.close();
  await counting.executor.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `lag runner: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
