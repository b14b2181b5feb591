import type { ConsistencyWaiter, Position } from '@duet/core';
import { runAsSystem } from '@duet/core';
import { createProjectionChanges } from './changes/projection-changes.ts';
import { createProcessorPauses, type ProcessorPause } from './pauses/processor-pauses.ts';
import type {
  DeadLetters,
  ProcessorsOptions,
  ProjectionStatus,
  ReadModel,
} from './processor-types.ts';
import { createProjectionConsistency } from './read-your-writes/projection-consistency.ts';
import { createRebuildRequests, type RebuildRequests } from './rebuild/rebuild-requests.ts';
import { createProcessorRunner } from './runner/create-processor-runner.ts';
import { resolveRunnerOptions } from './runner/resolve-runner-options.ts';
import { observeProcessorMetrics } from './status/processor-metrics.ts';

/** Calls back when processors' checkpoints move: the `live` source of `@duet/http`. */
export interface ProcessorChanges {
  /** Calls `onChange` after every committed batch of one of `names`; returns an unsubscribe. */
  subscribe(names: readonly string[], onChange: () => void): () => void;
}

/**
 * One set of processors (projections, reactors, relays) and everything about them: the
 * runner, read-your-writes, change notifications, status, rebuilds and dead letters.
 * Opening it connects nothing; a process that never calls `start()` (a CLI, a query-only
 * instance) still reads status, asks for rebuilds and retries dead letters.
 */
export interface Processors extends AsyncDisposable {
  /**
   * Checks its tables are migrated (`NotMigratedError` says what to run otherwise),
   * registers the processors, claims partitions and starts following; while it runs it
   * records a heartbeat per partition and serves the rebuild requests of other processes
   * for the processors it works.
   */
  start(): Promise<void>;
  /** Finishes the batches in flight, releases partitions and stops; `start()` may follow. */
  stop(): Promise<void>;
  /** Stops, ends the LISTENs of `waitForPosition` and `changes` and unregisters the gauges; the executors stay open (you opened them). */
  close(): Promise<void>;
  /**
   * Read-your-writes: resolves once every partition of the active version of each named
   * processor is at or past the position (`StaleReadError` at the deadline). Plug into
   * `createQueryBus({ consistency: processors.waitForPosition })`. Works without `start()`.
   */
  readonly waitForPosition: ConsistencyWaiter;
  /** Checkpoint movements, for live queries; one LISTEN serves every subscriber. */
  readonly changes: ProcessorChanges;
  /**
   * Every partition of every version of these processors, whoever runs it: the state its
   * owner recorded ('stopped' when no runner's heartbeat is fresh), lag, rebuild progress
   * and health ('stalled' once its position has not moved for `stallAfterMs` while events
   * wait, or it failed; 'stopped' without a fresh heartbeat); `owned` is true for the
   * partitions this handle works. `[]` before any runner has started.
   */
  status(): Promise<ProjectionStatus[]>;
  /**
   * Rebuilds the active version here, in place: drops and re-creates its tables and
   * replays from `from` (a position, or the first event recorded at or after a time;
   * default the start). Queries see a partial read model until it catches up; for no
   * downtime, bump the version instead. To ask the runner that works it, use `rebuildRequests`.
   */
  rebuild(name: string, options?: { readonly from?: Position | Date }): Promise<void>;
  /** Rebuilds asked of the runner (in any process) that works the processor. */
  readonly rebuildRequests: RebuildRequests;
  /**
   * Pauses a processor (every version and partition) wherever it runs: each runner
   * finishes its batch in flight and waits, its partitions 'paused' in `status()` and
   * its lag growing, until `resume`. Recorded in the database, so it outlives restarts and
   * works without `start()`; pausing a paused one keeps the first time and author.
   * `UNKNOWN_PROJECTION` for a name no runner has set up.
   */
  pause(name: string, options?: { readonly by?: string }): Promise<ProcessorPause>;
  /** Lets a paused processor go on from its checkpoint (at once, on the control NOTIFY). */
  resume(name: string): Promise<void>;
  readonly deadLetters: DeadLetters;
  /** The active version's tables of a projection, to build queries on. */
  readModel(name: string): Promise<ReadModel>;
}

/**
 * Opens a set of processors over a PostgreSQL / PGlite event store: each projection's
 * batch and its checkpoint commit in one transaction of the read-model database; a
 * reactor's effects and inbox row likewise; a relay checkpoints after the broker's acks.
 * Run `migrate(readModels, { schema, set: 'processors' })` first. It uses the executors
 * it is given and leaves them open; `close()` (or `await using`) ends what it opened.
 * Opening registers the `duet.processor.*` gauges (stalled, stopped, lag) with the
 * `meterProvider` (see `observeProcessorMetrics`); they query only when an SDK reads them.
 *
 * @example
 * await using processors = openProcessors({ store, processors: [orderHistory] });
 * await processors.start();
 * const queries = createQueryBus({ handlers, consistency: processors.waitForPosition });
 */
export function openProcessors(options: ProcessorsOptions): Processors {
  const config = resolveRunnerOptions(options);
  const { readModels: executor, schema } = config;
  const runner = createProcessorRunner(config);
  const consistency = createProjectionConsistency({
    executor,
    schema,
    pollIntervalMs: config.pollIntervalMs,
  });
  const changes = createProjectionChanges({ executor, schema });
  const pauses = createProcessorPauses(executor, schema);
  const stopMetrics = observeProcessorMetrics(config.meterProvider, () => runner.status());
  const stop = async () => {
    await runner.stop();
    // As before the handle existed: a later wait LISTENs again, and close() ends that too.
    await consistency.close();
  };
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stopMetrics();
      try {
        await stop();
      } finally {
        await changes.close();
        await consistency.close();
      }
    })();
    return closing;
  };
  // Processors work across tenants: their loops, status, rebuilds and dead letters run in
  // the system scope, whoever calls them. Only a read model's rows are a tenant's: the
  // handle `readModel` gives (found as the system) reads in the caller's scope.
  const system = asSystem;
  return {
    start: system(() => runner.start()),
    stop: system(stop),
    close: system(close),
    waitForPosition: system(consistency.wait),
    changes: { subscribe: system((names, onChange) => changes.subscribe(names, onChange)) },
    status: system(() => runner.status()),
    rebuild: system((name, rebuildOptions) => runner.rebuild(name, rebuildOptions)),
    rebuildRequests: systemMethods(createRebuildRequests({ executor, schema })),
    pause: system(pauses.pause),
    resume: system(pauses.resume),
    deadLetters: systemMethods(runner.deadLetters),
    readModel: system((name) => runner.readModel(name)),
    [Symbol.asyncDispose]: system(close),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: wraps functions of any signature
function asSystem<F extends (...args: any[]) => any>(fn: F): F {
  return ((...args: Parameters<F>) => runAsSystem(() => fn(...args))) as F;
}

/** The object with each of its methods run in the system scope. */
function systemMethods<T extends object>(target: T): T {
  const wrapped = { ...target } as Record<string, unknown>;
  for (const [key, value] of Object.entries(target)) {
    if (typeof value === 'function') {
      wrapped[key] = (...args: unknown[]) => runAsSystem(() => value.apply(target, args));
    }
  }
  return wrapped as T;
}
