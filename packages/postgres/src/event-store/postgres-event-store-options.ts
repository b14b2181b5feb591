import type { AppendLimits, EventRegistry, PersonalDataKeys } from '@duet/core';
import { DEFAULT_APPEND_LIMITS } from '@duet/core/adapters';
import type { SqlExecutor, SqlTransaction } from '../executor/sql-executor.ts';
import { failOption, integerOption, isExecutor } from '../options/option-checks.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../schema-name.ts';

export interface GroupCommitOptions {
  /** Most appends flushed in one transaction (default 256). */
  readonly maxBatchSize?: number;
  /** Batches in flight at once (default 2 on PostgreSQL; PGlite always 1: one connection). */
  readonly maxConcurrentBatches?: number;
  /** Off: every append is its own transaction (default on). */
  readonly enabled?: boolean;
}

export interface ReadBatchOptions {
  /** Most stream pages read in one statement (default 64). */
  readonly maxBatchSize?: number;
  /** Batched reads in flight at once (default 2 on PostgreSQL; PGlite always 1). */
  readonly maxConcurrentBatches?: number;
  /** Off: every page of `readStream` is its own statement (default on). */
  readonly enabled?: boolean;
}

/** Options of `createPostgresEventStore`; every one is checked when the store is created. */
export interface PostgresEventStoreOptions {
  readonly executor: SqlExecutor;
  /** The schema `migrate` created (default 'duet'). */
  readonly schema?: string;
  /** Event definitions: data is validated on append and old versions upcast on read. */
  readonly events?: EventRegistry;
  /** Size limits per event and per append (defaults: core's `DEFAULT_APPEND_LIMITS`). */
  readonly limits?: Partial<AppendLimits>;
  readonly groupCommit?: GroupCommitOptions;
  /**
   * Concurrent `readStream` calls (a command loading its stream, say) read their forward
   * pages together, one statement per batch, as the group commit does for appends.
   */
  readonly readBatch?: ReadBatchOptions;
  /** Events fetched per read round trip (default 500). */
  readonly pageSize?: number;
  /** How often `subscribe` polls when no NOTIFY arrives, in ms (default 1000). */
  readonly pollIntervalMs?: number;
  /** The clock stamping `metadata.timestamp` (default `() => new Date()`). */
  readonly now?: () => Date;
  /**
   * Seals the personal fields of `events`' definitions with these keys on append and opens
   * them on every read (see `withPersonalData`); needs `events`. Default: none, stored as given.
   */
  readonly personalData?: {
    readonly keys: PersonalDataKeys & {
      /** The keys through a transaction (`createPostgresPersonalDataKeys` has it). */
      using?(tx: SqlTransaction): PersonalDataKeys;
    };
  };
}

export interface ResolvedEventStoreOptions {
  readonly executor: SqlExecutor;
  readonly schema: string;
  readonly events: EventRegistry | undefined;
  readonly limits: AppendLimits;
  readonly groupCommit: Required<GroupCommitOptions>;
  readonly readBatch: Required<ReadBatchOptions>;
  readonly pageSize: number;
  readonly pollIntervalMs: number;
  readonly now: () => Date;
}

/** Checks every option and fills in the defaults; a bad one throws `ValidationError` naming it. */
export function resolveEventStoreOptions(
  options: PostgresEventStoreOptions,
): ResolvedEventStoreOptions {
  if (typeof options !== 'object' || options === null) failOption('options', 'expected an object');
  if (!isExecutor(options.executor)) {
    failOption('executor', 'expected an executor from createPgExecutor or createPGliteExecutor');
  }
  const events = options.events;
  if (
    events !== undefined &&
    (typeof events?.check !== 'function' || typeof events.upcast !== 'function')
  ) {
    failOption('events', 'expected an event registry from createEventRegistry');
  }
  const personal = options.personalData;
  if (personal !== undefined) {
    if (
      typeof personal?.keys?.keyFor !== 'function' ||
      typeof personal.keys.findKeys !== 'function'
    ) {
      failOption('personalData.keys', 'expected PersonalDataKeys (createPostgresPersonalDataKeys)');
    }
    if (events === undefined) {
      failOption('personalData', 'needs `events`: the registry says which fields are personal');
    }
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    failOption('now', 'expected a function returning a Date');
  }
  const limits = options.limits ?? {};
  const groupCommit = options.groupCommit ?? {};
  if (groupCommit.enabled !== undefined && typeof groupCommit.enabled !== 'boolean') {
    failOption('groupCommit.enabled', `expected a boolean, got ${String(groupCommit.enabled)}`);
  }
  const readBatch = options.readBatch ?? {};
  if (readBatch.enabled !== undefined && typeof readBatch.enabled !== 'boolean') {
    failOption('readBatch.enabled', `expected a boolean, got ${String(readBatch.enabled)}`);
  }
  const pglite = options.executor.kind === 'pglite';
  const concurrent = integerOption(
    'groupCommit.maxConcurrentBatches',
    groupCommit.maxConcurrentBatches,
    2,
    1,
    64,
  );
  const concurrentReads = integerOption(
    'readBatch.maxConcurrentBatches',
    readBatch.maxConcurrentBatches,
    2,
    1,
    64,
  );
  return {
    executor: options.executor,
    schema: checkSchemaName(options.schema ?? DEFAULT_SCHEMA),
    events,
    limits: {
      maxEventBytes: integerOption(
        'limits.maxEventBytes',
        limits.maxEventBytes,
        DEFAULT_APPEND_LIMITS.maxEventBytes,
        1,
        256 * 1024 * 1024,
      ),
      maxAppendBytes: integerOption(
        'limits.maxAppendBytes',
        limits.maxAppendBytes,
        DEFAULT_APPEND_LIMITS.maxAppendBytes,
        1,
        1024 * 1024 * 1024,
      ),
      maxEventsPerAppend: integerOption(
        'limits.maxEventsPerAppend',
        limits.maxEventsPerAppend,
        DEFAULT_APPEND_LIMITS.maxEventsPerAppend,
        1,
        1_000_000,
      ),
    },
    groupCommit: {
      enabled: groupCommit.enabled ?? true,
      maxBatchSize: integerOption(
        'groupCommit.maxBatchSize',
        groupCommit.maxBatchSize,
        256,
        1,
        10_000,
      ),
      // PGlite runs one transaction at a time: a second batch would only wait.
      maxConcurrentBatches: pglite ? 1 : concurrent,
    },
    readBatch: {
      enabled: readBatch.enabled ?? true,
      maxBatchSize: integerOption('readBatch.maxBatchSize', readBatch.maxBatchSize, 64, 1, 10_000),
      maxConcurrentBatches: pglite ? 1 : concurrentReads,
    },
    pageSize: integerOption('pageSize', options.pageSize, 500, 1, 100_000),
    pollIntervalMs: integerOption('pollIntervalMs', options.pollIntervalMs, 1000, 10, 3_600_000),
    now: options.now ?? (() => new Date()),
  };
}
