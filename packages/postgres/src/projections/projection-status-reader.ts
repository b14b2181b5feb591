import type { ProcessorDefinition } from '@duet/core';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { checkSchemaName, DEFAULT_SCHEMA } from '../schema-name.ts';
import type { ProjectionEventSource, ProjectionStatus } from './projection-runner.ts';
import { readStatus } from './read-status.ts';

/** Options of `createProjectionStatusReader`. */
export interface ProjectionStatusReaderOptions {
  /** The event store, for the head and the lag (its executor and schema). */
  readonly store: Pick<ProjectionEventSource, 'executor' | 'schema'>;
  /** The database of the read models and the runners' tables (default: the store's executor). */
  readonly readModels?: SqlExecutor;
  /** The runners' schema (default 'duet_projections'). */
  readonly schema?: string;
  /**
   * Only these projections, with their event types and partitions for the lag. Without
   * them every projection is listed and lag counts every event after its checkpoint.
   */
  readonly projections?: readonly ProcessorDefinition[];
}

/** Reads projection status without running anything. */
export interface ProjectionStatusReader {
  /** Every partition of every version, as `ProjectionRunner.status()` reports it; `[]` before any runner started. */
  status(): Promise<ProjectionStatus[]>;
}

/**
 * Status as an observer sees it, from any process that can reach the databases (a CLI, a
 * console, a query-only instance's health check): the state each partition's owning
 * runner recorded, or 'stopped' when no runner's heartbeat is fresh; position, head, lag
 * and rebuild progress as the runner's own `status()` gives them. `owned` is always false.
 *
 * @example
 * const reader = createProjectionStatusReader({ store: { executor, schema: 'orders' }, projections: [orderHistory] });
 * const live = (await reader.status()).every((s) => !s.active || s.state === 'live');
 */
export function createProjectionStatusReader(
  options: ProjectionStatusReaderOptions,
): ProjectionStatusReader {
  const source = {
    storeExecutor: options.store.executor,
    storeSchema: checkSchemaName(options.store.schema ?? DEFAULT_SCHEMA, 'store.schema'),
    readModels: options.readModels ?? options.store.executor,
    schema: checkSchemaName(options.schema ?? 'duet_projections', 'schema'),
    processors: options.projections,
  };
  return { status: () => readStatus(source) };
}
