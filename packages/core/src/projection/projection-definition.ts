import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { EventDefinition } from '../messages/define-event.ts';

/**
 * The statement runner a projection's `setup` and `apply` get: one transaction of the
 * read-model database. Pass JSON as a string and cast it in SQL (`$1::text::jsonb`).
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
 * What happens to an event whose `apply` keeps failing after retries:
 * - `stop`: the partition stops before it; status shows the event and the error;
 * - `skip`: the event goes to the dead-letter table and the projection moves on;
 * - `park`: like skip, and later events of the same stream are dead-lettered too until
 *   the stream's dead letters are retried.
 */
export type FailurePolicy = 'stop' | 'skip' | 'park';

/** What `defineProjection` takes. */
export interface ProjectionOptions<E extends RecordedEvent = RecordedEvent> {
  /** Lower case, digits and single underscores; names the tables, so at most 40 characters. */
  readonly name: string;
  /** Bump it to rebuild into new tables beside the old ones (blue-green). Default 1. */
  readonly version?: number;
  /** The event types it reads: definitions (upcast on read) or type names. */
  readonly events: readonly (EventDefinition | string)[];
  /** Partitions by a stable hash of the stream name, each with its own checkpoint. Default 1. */
  readonly partitions?: number;
  /** Default `'stop'`. */
  readonly onFailure?: FailurePolicy;
  /** Creates this version's tables (runs once per version, in a transaction). */
  setup(tx: ProjectionTx, tables: ProjectionTables): Promise<void>;
  /** Applies a batch of events in the transaction that also moves the checkpoint. */
  apply(tx: ProjectionTx, events: readonly E[], tables: ProjectionTables): Promise<void>;
}

/** A checked projection, made by `defineProjection`. */
export interface ProjectionDefinition<E extends RecordedEvent = RecordedEvent> {
  readonly kind: 'projection';
  readonly name: string;
  readonly version: number;
  /** The event type names it reads, without duplicates. */
  readonly eventTypes: readonly string[];
  /** The event definitions among `events`: used to upcast old schema versions on read. */
  readonly eventDefinitions: readonly EventDefinition[];
  readonly partitions: number;
  readonly onFailure: FailurePolicy;
  setup(tx: ProjectionTx, tables: ProjectionTables): Promise<void>;
  apply(tx: ProjectionTx, events: readonly E[], tables: ProjectionTables): Promise<void>;
}
