import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type CommittedEventPages,
  type DuetLogger,
  openPersonalEvents,
  type ProcessorDefinition,
  type RecordedEvent,
} from '@duet/core';
import { tracedLogger } from '@duet/core/adapters';
import { type MeterProvider, metrics } from '@opentelemetry/api';
import { createCommittedEventPages } from '../../event-store/committed-event-pages.ts';
import type { SqlExecutor } from '../../executor/sql-executor.ts';
import { DEFAULT_PROCESSORS_SCHEMA } from '../../migrations/migration-set.ts';
import { failOption, integerOption, isExecutor } from '../../options/option-checks.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../../schema-name.ts';
import type { BatchReport, ProcessorsOptions } from '../processor-types.ts';

/** The runner's options, checked, with defaults filled in. */
export interface RunnerConfig {
  readonly storeExecutor: SqlExecutor;
  readonly storeSchema: string;
  /** Where workers read pages and wait for commits: the store's own port when given a store. */
  readonly pages: CommittedEventPages;
  /** Ends what the runner opened for `pages` (nothing when they are the store's). */
  readonly closePages: () => Promise<void>;
  readonly readModels: SqlExecutor;
  readonly schema: string;
  readonly readModelSchema: string;
  readonly processors: readonly ProcessorDefinition[];
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
  readonly stallAfterMs: number;
  readonly meterProvider: MeterProvider;
  /** This runner instance, as status reports its partitions' owner: `host:pid:random`. */
  readonly owner: string;
  readonly onBatch: ((batch: BatchReport) => void) | undefined;
  /** `logger` with trace ids added, or a silent one. */
  readonly log: DuetLogger;
  readonly registry: ProcessorsOptions['store']['events'];
  /** Opens sealed personal fields with the `personalData` keys (as they are, without keys). */
  readonly openPersonalData: (events: readonly RecordedEvent[]) => Promise<RecordedEvent[]>;
}

/** Checks `openProcessors` options; a bad one throws `ValidationError` naming it. */
export function resolveRunnerOptions(options: ProcessorsOptions): RunnerConfig {
  if (typeof options !== 'object' || options === null) failOption('options', 'expected an object');
  const { store, readModels = store?.executor } = options;
  if (!isExecutor(store?.executor)) {
    failOption(
      'store',
      'expected { executor, schema } of the event store (createPgExecutor or createPGliteExecutor)',
    );
  }
  if (!isExecutor(readModels)) failOption('readModels', 'expected an executor');
  const processors = checkProcessors(options);
  const min = integerOption('batchSize.min', options.batchSize?.min, 100, 1, 100_000);
  const max = integerOption(
    'batchSize.max',
    options.batchSize?.max,
    Math.max(min, 5_000),
    min,
    100_000,
  );
  const leases = options.leases;
  if (leases !== undefined && typeof leases?.connectionString !== 'string') {
    failOption('leases.connectionString', 'expected the read-model database URL');
  }
  if (leases !== undefined && readModels.kind === 'pglite') {
    failOption('leases', 'PGlite is one connection in one process: it needs no leases');
  }
  if (options.onBatch !== undefined && typeof options.onBatch !== 'function') {
    failOption('onBatch', 'expected a function');
  }
  const schema = checkSchemaName(options.schema ?? DEFAULT_PROCESSORS_SCHEMA, 'schema');
  const storeSchema = checkSchemaName(store.schema ?? DEFAULT_SCHEMA, 'store.schema');
  if (readModels === store.executor && schema === storeSchema) {
    failOption('schema', "the runner's tables need a schema apart from the event store's");
  }
  const pages = hasCommittedPages(store)
    ? { pages: store, closePages: async () => {} }
    : opened(
        createCommittedEventPages({
          executor: store.executor,
          schema: storeSchema,
          events: store.events,
        }),
      );
  return {
    storeExecutor: store.executor,
    storeSchema,
    ...pages,
    readModels,
    schema,
    readModelSchema: checkSchemaName(options.readModelSchema ?? 'read_models', 'readModelSchema'),
    processors,
    batchSize: { min, max },
    targetBatchMs: integerOption('targetBatchMs', options.targetBatchMs, 250, 1, 600_000),
    pollIntervalMs: integerOption('pollIntervalMs', options.pollIntervalMs, 1_000, 10, 3_600_000),
    retry: {
      attempts: integerOption('retry.attempts', options.retry?.attempts, 3, 1, 100),
      backoffMs: integerOption('retry.backoffMs', options.retry?.backoffMs, 100, 0, 600_000),
    },
    leases:
      leases === undefined
        ? null
        : {
            connectionString: leases.connectionString,
            claimIntervalMs: integerOption(
              'leases.claimIntervalMs',
              leases.claimIntervalMs,
              2_000,
              50,
              600_000,
            ),
            heartbeatMs: integerOption(
              'leases.heartbeatMs',
              leases.heartbeatMs,
              1_000,
              50,
              600_000,
            ),
          },
    dropDelayMs: integerOption('dropDelayMs', options.dropDelayMs, 1_000, 0, 3_600_000),
    statusIntervalMs: integerOption(
      'statusIntervalMs',
      options.statusIntervalMs,
      1_000,
      50,
      600_000,
    ),
    stallAfterMs: integerOption('stallAfterMs', options.stallAfterMs, 30_000, 1, 86_400_000),
    meterProvider: checkMeterProvider(options.meterProvider),
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    onBatch: options.onBatch,
    log: tracedLogger(options.logger, 'option logger'),
    registry: store.events,
    openPersonalData: async (events) => {
      const keys = options.personalData?.keys;
      return keys ? openPersonalEvents(events, keys, store.events) : [...events];
    },
  };
}

function checkMeterProvider(provider: unknown): MeterProvider {
  if (provider === undefined) return metrics.getMeterProvider();
  if (typeof (provider as Partial<MeterProvider> | null)?.getMeter !== 'function') {
    failOption('meterProvider', 'expected an OpenTelemetry MeterProvider (with getMeter)');
  }
  return provider as MeterProvider;
}

/** A `PostgresEventStore` (or any source with the port) is read through its own port. */
function hasCommittedPages<T extends object>(store: T): store is T & CommittedEventPages {
  const candidate = store as Partial<CommittedEventPages>;
  return typeof candidate.readCommittedPage === 'function' && typeof candidate.commits === 'object';
}

function opened(pages: CommittedEventPages & { close(): Promise<void> }) {
  return { pages, closePages: () => pages.close() };
}

// The handler each kind needs: a definition made by hand is checked as one made by define*.
const handlerOf = { projection: 'apply', reactor: 'handle', relay: 'publish' } as const;

function checkProcessors(options: ProcessorsOptions): readonly ProcessorDefinition[] {
  if (options.processors !== undefined && options.projections !== undefined) {
    failOption('projections', 'give processors or projections (its old name), not both');
  }
  const option = options.processors === undefined ? 'projections' : 'processors';
  const processors = options.processors ?? options.projections;
  if (!Array.isArray(processors) || processors.length === 0) {
    failOption(option, 'expected at least one processor made by defineProjection or defineReactor');
  }
  const seen = new Set<string>();
  for (const processor of processors as readonly ProcessorDefinition[]) {
    const handler = handlerOf[processor?.kind as keyof typeof handlerOf];
    if (
      !handler ||
      typeof (processor as unknown as Record<string, unknown>)[handler] !== 'function'
    ) {
      failOption(option, 'expected projections, reactors or relays (kind and handler)');
    }
    const key = `${processor.name}@${processor.version}`;
    if (seen.has(key))
      failOption(option, `${processor.name} version ${processor.version} is given twice`);
    seen.add(key);
  }
  return processors as readonly ProcessorDefinition[];
}
