import type { Decider, EventDefinition, Message, ProjectionDefinition } from '@duet/core';
import type { LoadWorkload } from '../load/load-workload.ts';

/** The part of a decider the CLI folds with: enough to show a stream's state at a point. */
export type StateFolder = Pick<Decider<Message, unknown, Message>, 'initialState' | 'evolve'>;

/**
 * What a `--config` module exports (as its default export, or as named exports), so the
 * CLI knows the application's definitions. Every member is optional.
 *
 * @example
 * // duet.config.ts
 * export default defineCliConfig({
 *   events: orderEvents,
 *   deciders: { order: orderDecider },
 *   projections: [orderHistory],
 * });
 */
export interface DuetCliConfig {
  /** The event store's schema when neither --schema nor DUET_SCHEMA names one. */
  readonly schema?: string;
  /** Event definitions: old versions are upcast when `streams show` and `events tail` read. */
  readonly events?: readonly EventDefinition[];
  /** Deciders by stream category: `streams show order-1 --at 3` prints the order's state then. */
  readonly deciders?: Readonly<Record<string, StateFolder>>;
  /** Projection definitions (defineProjection), for `projections` and `dead-letters`. */
  readonly projections?: readonly ProjectionDefinition[];
  /**
   * Where the app's projection runner keeps its tables, when not the defaults of
   * `openProcessors` ('duet_projections' and 'read_models'), and the app's `stallAfterMs`
   * (default 30000), so `projections status` judges stalls as the app does. The read
   * models must be in the event store's database.
   */
  readonly projectionRunner?: {
    readonly schema?: string;
    readonly readModelSchema?: string;
    readonly stallAfterMs?: number;
  };
  /** Load workloads by name (defineLoadWorkload), for `duet load <name>`. */
  readonly workloads?: Readonly<Record<string, LoadWorkload>>;
}

/** Types a config module's export; returns it unchanged. */
export function defineCliConfig<const C extends DuetCliConfig>(config: C): C {
  return config;
}
