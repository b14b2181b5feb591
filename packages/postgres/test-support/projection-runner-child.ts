// Child process of the projection stress tests: one runner process of the ledger
// projection (projection-ledger.ts) that a test can SIGKILL at any moment. It prints JSON
// lines on stdout: `{"event":"starting"}` just before `start()`, `{"event":"started"}`
// after it, then `{"event":"status","status":...}` every STATUS_EVERY_MS, and the runner's
// log lines as `{"event":"log","level":...,"msg":...,"time":<Date.now()>,...fields}` (the
// lease log: "partition acquired", "partition released"). SIGTERM stops the runner and
// exits 0.
//
//   node --import tsx projection-runner-child.ts <connection string> <schema> <worker> <options JSON>
//
// options: { name, partitions?, applyDelayMsPerEvent?, batchSize?, targetBatchMs?,
// statusIntervalMs?, claimIntervalMs?, clearOnSetup? }. With partitions the runner shares
// them with other processes through advisory-lock leases.
import type { DuetLogger } from '@duet/core';
import { createPgExecutor, openProcessors } from '@duet/postgres';
import { ledgerProjection, runnerSchemas } from './projection-ledger.ts';

const STATUS_EVERY_MS = 200;

interface ChildOptions {
  readonly name: string;
  readonly partitions?: number;
  readonly applyDelayMsPerEvent?: number;
  readonly batchSize?: { readonly min?: number; readonly max?: number };
  readonly targetBatchMs?: number;
  readonly statusIntervalMs?: number;
  readonly claimIntervalMs?: number;
  /** The projection's setup empties its tables (a rebuild starts over from empty). */
  readonly clearOnSetup?: boolean;
}

const [connectionString, schema, worker, json] = process.argv.slice(2);
if (
  connectionString === undefined ||
  schema === undefined ||
  worker === undefined ||
  json === undefined
) {
  throw new Error(
    'usage: projection-runner-child.ts <connection string> <schema> <worker> <options JSON>',
  );
}
const options = JSON.parse(json) as ChildOptions;

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

// Timestamps from this machine's clock, which the test and the other children share.
const lineAt =
  (level: string) =>
  (fields: object, msg?: string): void => {
    print({ ...fields, event: 'log', level, msg, time: Date.now() });
  };
const logger: DuetLogger = {
  debug() {},
  info: lineAt('info'),
  warn: lineAt('warn'),
  error: lineAt('error'),
};

const executor = createPgExecutor({ connectionString, max: 6 });
const runner = openProcessors({
  store: { executor, schema },
  ...runnerSchemas(schema),
  logger,
  ...(options.partitions === undefined
    ? {}
    : {
        leases: {
          connectionString,
          ...(options.claimIntervalMs === undefined
            ? {}
            : { claimIntervalMs: options.claimIntervalMs }),
        },
      }),
  projections: [
    ledgerProjection({
      name: options.name,
      schema,
      worker,
      ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
      ...(options.applyDelayMsPerEvent === undefined
        ? {}
        : { applyDelayMsPerEvent: options.applyDelayMsPerEvent }),
      ...(options.clearOnSetup === undefined ? {} : { clearOnSetup: options.clearOnSetup }),
    }),
  ],
  ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
  ...(options.targetBatchMs === undefined ? {} : { targetBatchMs: options.targetBatchMs }),
  ...(options.statusIntervalMs === undefined ? {} : { statusIntervalMs: options.statusIntervalMs }),
});

let stopping = false;
const timer = setInterval(() => {
  runner.status().then(
    (status) => print({ event: 'status', status }),
    (error: unknown) => print({ event: 'status-error', error: String(error) }),
  );
}, STATUS_EVERY_MS);

process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  (async () => {
    await runner.stop();
    await executor.close();
    print({ event: 'stopped' });
    process.exit(0);
  })().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
});

print({ event: 'starting' });
await runner.start();
print({ event: 'started' });
