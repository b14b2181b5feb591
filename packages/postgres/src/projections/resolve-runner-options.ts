import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type ProjectionDefinition, ValidationError } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../schema-name.ts';
import type { BatchReport, ProjectionRunnerOptions } from './projection-runner.ts';

/** The runner's options, checked, with defaults filled in. */
export interface RunnerConfig {
  readonly storeExecutor: SqlExecutor;
  readonly storeSchema: string;
  readonly readModels: SqlExecutor;
  readonly schema: string;
  readonly readModelSchema: string;
  readonly projections: readonly ProjectionDefinition[];
  readonly batchSize: { readonly min: number; readonly max: number };
  readonly targetBatchMs: number;
  readonly pollIntervalMs: number;
  readonly retry: { readonly attempts: number; readonly backoffMs: number };
  readonly leases: {
    readonly connectionString: string;
    readonly claimIntervalMs: number;
    readonly heartbeatMs: number;
  } | null;
  readonly dropDelayMs: number;
  readonly statusIntervalMs: number;
  /** This runner instance, as status reports its partitions' owner: `host:pid:random`. */
  readonly owner: string;
  readonly onBatch: ((batch: BatchReport) => void) | undefined;
  readonly registry: ProjectionRunnerOptions['store']['events'];
}

function fail(option: string, message: string): never {
  throw new ValidationError(`option ${option}`, [{ path: option.split('.'), message }]);
}

function integer(option: string, value: unknown, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(option, `expected a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function isExecutor(value: unknown): value is SqlExecutor {
  const candidate = value as Partial<SqlExecutor> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.query === 'function' &&
    typeof candidate.transaction === 'function' &&
    typeof candidate.listen === 'function' &&
    (candidate.kind === 'postgres' || candidate.kind === 'pglite')
  );
}

/** Checks `createProjectionRunner` options; a bad one throws `ValidationError` naming it. */
export function resolveRunnerOptions(options: ProjectionRunnerOptions): RunnerConfig {
  if (typeof options !== 'object' || options === null) fail('options', 'expected an object');
  const { store, readModels = store?.executor } = options;
  if (!isExecutor(store?.executor)) {
    fail(
      'store',
      'expected { executor, schema } of the event store (createPgExecutor or createPGliteExecutor)',
    );
  }
  if (!isExecutor(readModels)) fail('readModels', 'expected an executor');
  if (!Array.isArray(options.projections) || options.projections.length === 0) {
    fail('projections', 'expected at least one projection made by defineProjection');
  }
  const seen = new Set<string>();
  for (const projection of options.projections) {
    if (projection?.kind !== 'projection') {
      fail('projections', 'expected projections made by defineProjection');
    }
    const key = `${projection.name}@${projection.version}`;
    if (seen.has(key))
      fail('projections', `${projection.name} version ${projection.version} is given twice`);
    seen.add(key);
  }
  const min = integer('batchSize.min', options.batchSize?.min, 100, 1, 100_000);
  const max = integer('batchSize.max', options.batchSize?.max, Math.max(min, 5_000), min, 100_000);
  const leases = options.leases;
  if (leases !== undefined && typeof leases?.connectionString !== 'string') {
    fail('leases.connectionString', 'expected the read-model database URL');
  }
  if (leases !== undefined && readModels.kind === 'pglite') {
    fail('leases', 'PGlite is one connection in one process: it needs no leases');
  }
  if (options.onBatch !== undefined && typeof options.onBatch !== 'function') {
    fail('onBatch', 'expected a function');
  }
  return {
    storeExecutor: store.executor,
    storeSchema: checkSchemaName(store.schema ?? DEFAULT_SCHEMA, 'store.schema'),
    readModels,
    schema: checkSchemaName(options.schema ?? 'duet_projections', 'schema'),
    readModelSchema: checkSchemaName(options.readModelSchema ?? 'read_models', 'readModelSchema'),
    projections: options.projections,
    batchSize: { min, max },
    targetBatchMs: integer('targetBatchMs', options.targetBatchMs, 250, 1, 600_000),
    pollIntervalMs: integer('pollIntervalMs', options.pollIntervalMs, 1_000, 10, 3_600_000),
    retry: {
      attempts: integer('retry.attempts', options.retry?.attempts, 3, 1, 100),
      backoffMs: integer('retry.backoffMs', options.retry?.backoffMs, 100, 0, 600_000),
    },
    leases:
      leases === undefined
        ? null
        : {
            connectionString: leases.connectionString,
            claimIntervalMs: integer(
              'leases.claimIntervalMs',
              leases.claimIntervalMs,
              2_000,
              50,
              600_000,
            ),
            heartbeatMs: integer('leases.heartbeatMs', leases.heartbeatMs, 1_000, 50, 600_000),
          },
    dropDelayMs: integer('dropDelayMs', options.dropDelayMs, 1_000, 0, 3_600_000),
    statusIntervalMs: integer('statusIntervalMs', options.statusIntervalMs, 1_000, 50, 600_000),
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    onBatch: options.onBatch,
    registry: store.events,
  };
}
