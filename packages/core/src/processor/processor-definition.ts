import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { EventDefinition } from '../messages/define-event.ts';

/**
 * The statement runner a processor's handler gets: one transaction of the database that
 * holds its checkpoint. Pass JSON as a string and cast it in SQL (`$1::text::jsonb`).
 *
 * @example
 * await tx.query(`INSERT INTO ${tables.name('orders')} (id) VALUES ($1)`, [event.data.id]);
 */
export interface ProjectionTx {
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[] }>;
}

/**
 * Names a projection's tables. Each version has its own set, so a new version builds
 * beside the one that serves: `name('orders')` of `order_history` version 2 is
 * `"read_models"."order_history_v2__orders"`, quoted and ready to splice into SQL.
 *
 * @example
 * await tx.query(`CREATE TABLE ${tables.name('orders')} (id text PRIMARY KEY)`);
 */
export interface ProjectionTables {
  /** The quoted, schema-qualified identifier of one of this version's tables. */
  name(table: string): string;
  /** The schema the tables live in (unquoted). */
  readonly schema: string;
  /** The prefix every table of this version carries, e.g. `order_history_v2__`. */
  readonly prefix: string;
}

/**
 * What happens to an event whose handler keeps failing after retries:
 * - `stop`: the partition stops before it; status shows the event and the error;
 * - `skip`: the event goes to the dead-letter table and the processor moves on;
 * - `park`: like skip, and later events of the same stream are dead-lettered too until
 *   the stream's dead letters are retried.
 *
 * An `UnavailableError` is never the event's fault: the runner waits and retries it.
 */
export type FailurePolicy = 'stop' | 'skip' | 'park';

/** What every processor has: a name, the events it wants, its partitioning. */
export interface ProcessorBase {
  readonly name: string;
  /** Bump it to rebuild beside the old version (blue-green). */
  readonly version: number;
  /** The event type names it reads, without duplicates; `null` for every type. */
  readonly eventTypes: readonly string[] | null;
  /** The event definitions among `events`: used to upcast old schema versions on read. */
  readonly eventDefinitions: readonly EventDefinition[];
  /** By a stable hash of the stream name, each partition with its own checkpoint. */
  readonly partitions: number;
  readonly onFailure: FailurePolicy;
}

/** A read model: a batch and its checkpoint in one read-model transaction. */
export interface ProjectionDefinition<E extends RecordedEvent = RecordedEvent>
  extends ProcessorBase {
  readonly kind: 'projection';
  /** Creates this version's tables (once per version, in a transaction); a no-op if absent. */
  setup(tx: ProjectionTx, tables: ProjectionTables): Promise<void>;
  apply(tx: ProjectionTx, events: readonly E[], tables: ProjectionTables): Promise<void>;
}

/** What a reactor's handler gets besides the event. */
export interface ReactorContext {
  /** The transaction that also records the event in the reactor's inbox and moves its checkpoint. */
  readonly tx: ProjectionTx;
  readonly signal: AbortSignal;
}

/**
 * A reactor: a handler per event that sends commands or records effects. The runner
 * records each event's id in the reactor's inbox in the same transaction as the handler's
 * effects and the checkpoint, so an event is handled at most once per reactor version.
 */
export interface ReactorDefinition<E extends RecordedEvent = RecordedEvent> extends ProcessorBase {
  readonly kind: 'reactor';
  handle(event: E, context: ReactorContext): Promise<void>;
}

/**
 * A relay: publishes a batch to a broker and resolves once the broker has acknowledged
 * every message; the runner moves the checkpoint only after that. Throws
 * `UnavailableError` while the broker is down.
 */
export interface RelayDefinition<E extends RecordedEvent = RecordedEvent> extends ProcessorBase {
  readonly kind: 'relay';
  publish(events: readonly E[], options: { readonly signal: AbortSignal }): Promise<void>;
}

/** Anything a processor runner runs. */
export type ProcessorDefinition<E extends RecordedEvent = RecordedEvent> =
  | ProjectionDefinition<E>
  | ReactorDefinition<E>
  | RelayDefinition<E>;
