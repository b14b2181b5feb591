import type { RelayDefinition } from '@duet/core';
import { type BatchReport, migrate, openProcessors, type SqlExecutor } from '@duet/postgres';

/** A relay running in a processor runner. */
export interface RunningRelay {
  /** Finishes the batch in flight and stops. */
  stop(): Promise<void>;
}

export interface RunRelayOptions {
  readonly relay: RelayDefinition;
  /** The service's store: its executor and schema. */
  readonly store: { readonly executor: SqlExecutor; readonly schema: string };
  /** Where the runner keeps its checkpoints (its own pool on the same database). */
  readonly checkpoints: SqlExecutor;
  /** Called after every batch whose acks came back and whose checkpoint committed. */
  readonly onBatch?: (batch: BatchReport) => void;
}

export const RELAY_RUNNER_SETTINGS =
  'createRelay on openProcessors({ processors: [relay] }) with the runner defaults (batchSize { min: 100, max: 5000 } adaptive, targetBatchMs 250, NOTIFY-driven): publish the batch, checkpoint after every ack';

/**
 * Starts `relay` on the processor runner (its tables migrated into `<schema>_runner`)
 * and keeps it running until `stop()`. The one place the bench runs a relay.
 */
export async function runRelay(options: RunRelayOptions): Promise<RunningRelay> {
  const { relay, store } = options;
  const schema = `${store.schema}_runner`;
  await migrate(options.checkpoints, { schema, set: 'processors' });
  const processors = openProcessors({
    store: { executor: store.executor, schema: store.schema },
    readModels: options.checkpoints,
    schema,
    readModelSchema: `${store.schema}_rm`,
    processors: [relay],
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
  await processors.start();
  return { stop: () => processors.close() };
}
