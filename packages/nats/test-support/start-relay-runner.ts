import type { RelayDefinition } from '@duet/core';
import { migrate, openProcessors, type SqlExecutor } from '@duet/postgres';

/** Runs a relay on the processor runner, with the runner's tables in `<schema>_runner`. */
export async function startRelayRunner(options: {
  readonly executor: SqlExecutor;
  readonly schema: string;
  readonly relay: RelayDefinition;
}): Promise<{ stop(): Promise<void> }> {
  await migrate(options.executor, { schema: `${options.schema}_runner`, set: 'processors' });
  const runner = openProcessors({
    store: { executor: options.executor, schema: options.schema },
    schema: `${options.schema}_runner`,
    readModelSchema: `${options.schema}_rm`,
    processors: [options.relay],
    pollIntervalMs: 100,
    retry: { attempts: 2, backoffMs: 50 },
  });
  await runner.start();
  return runner;
}
