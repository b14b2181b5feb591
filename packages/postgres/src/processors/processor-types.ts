import type {
  DuetLogger,
  EventRegistry,
  PersonalDataKeys,
  Position,
  ProcessorDefinition,
  ProjectionDefinition,
  ProjectionTables,
  RecordedEvent,
} from '@duet/core';
import type { MeterProvider } from '@opentelemetry/api';
import type { RunningTransaction } from '../event-store/oldest-running-transaction.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';

/**
 * Where the runner reads events: the event store's executor and schema. Given a
 * `PostgresEventStore` (which is one), the runner reads through the store's
 * `CommittedEventPages` port and shares its LISTEN; otherwise it opens its own.
 */
export interface ProjectionEventSource {
  readonly executor: SqlExecutor;
  /** The schema `migrate` created for the store (default 'duet'). */
  readonly schema?: string;
  /** Upcasts old schema versions on read, besides the processors' own definitions. */
  readonly events?: EventRegistry | undefined;
}

/** Options of `openProcessors`; each is checked when the handle is opened. */
export interface ProcessorsOptions {
  /** The event store to read (its executor and schema). */
  readonly store: ProjectionEventSource;
  /** The database the read models and checkpoints live in (default: the store's executor). */
  readonly readModels?: SqlExecutor;
  /** The runner's own tables, in the read-model database (default 'duet_projections'). */
  readonly schema?: string;
  /** Where the projections' tables go (default 'read_models'). */
  readonly readModelSchema?: string;
  /**
   * Processors to run (projections, reactors, relays); two versions of one name may run
   * side by side (blue-green).
   */
  readonly processors?: readonly ProcessorDefinition[];
  /** The same as `processors`, from when only projections ran; give one of the two. */
  readonly projections?: readonly ProjectionDefinition[];
  /** Events per batch: grows while full batches commit fast, shrinks on slow or failing ones (default { min: 100, max: 5000 }). */
  readonly batchSize?: { readonly min?: number; readonly max?: number };
  /** A batch slower than this shrinks the next one; faster full batches grow it (default 250). */
  readonly targetBatchMs?: number;
  /** Poll this often when no NOTIFY arrives (default 1000). */
  readonly pollIntervalMs?: number;
  /** Retries of a failing batch before it is narrowed to the failing event (default { attempts: 3, backoffMs: 100 }, doubling). */
  readonly retry?: { readonly attempts?: number; readonly backoffMs?: number };
  /**
   * PostgreSQL: share partitions between processes through advisory locks held on a
   * dedicated connection to the read-model database. Without it (and always on PGlite)
   * this runner takes every partition; a second runner on the same projection is still
   * safe (checkpoint moves are fenced) but only wastes work.
   */
  readonly leases?: {
    /** The read-model database's URL, for the lease connection. */
    readonly connectionString: string;
    /** How often to look for free partitions and rebalance, in ms (default 2000). */
    readonly claimIntervalMs?: number;
    /** How often to check the lease connection is alive, in ms (default 1000). */
    readonly heartbeatMs?: number;
  };
  /**
   * How often the runner records, in the read-model database, that it still works its
   * partitions, with their progress (default 1000). Other processes' `status()` reads it;
   * a record not renewed for 5 intervals counts as a stopped runner.
   */
  readonly statusIntervalMs?: number;
  /**
   * A partition whose position has not moved for this long while events of its types
   * wait after it is `stalled` in `status()` (default 30000). Set it above your slowest
   * batch; it is judged by whoever reads status, so give every process the same value.
   */
  readonly stallAfterMs?: number;
  /**
   * Where the `duet.processor.*` gauges (stalled, stopped, lag) go (default: the global
   * one of `@opentelemetry/api`, a no-op until the app registers an SDK before opening).
   */
  readonly meterProvider?: MeterProvider;
  /** After a blue-green switch, wait this long before dropping the old tables (default 1000), so queries that resolved the old version finish. */
  readonly dropDelayMs?: number;
  /**
   * Where the runner logs (pino's shape: pass a pino logger or a child as it is): a batch
   * retried (warn), an event dead-lettered or parked (error), a partition stopped on a
   * poisoned event (error), rebuilds, pauses and resumes, start and stop (info). Each line
   * names the processor and carries `trace_id` and `span_id` (default none: silent).
   */
  readonly logger?: DuetLogger;
  /** Called after every committed batch (metrics, tests). */
  readonly onBatch?: (batch: BatchReport) => void;
  /**
   * The store's personal data keys: dead letters keep personal fields sealed, and a retry
   * opens them with the keys as they are then (a subject forgotten meanwhile reads as
   * forgotten). Needed when the store seals personal data (its `personalData` option).
   */
  readonly personalData?: { readonly keys: PersonalDataKeys };
}

/** What `onBatch` gets after each committed batch. */
export interface BatchReport {
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  /** Events read from the store (all types) and applied (this projection's). */
  readonly scanned: number;
  readonly applied: number;
  /** The batch size asked for, and how long the transaction took. */
  readonly batchSize: number;
  readonly ms: number;
  readonly position: Position;
}

/**
 * 'stopped' means no runner works the partition now (none started, or its heartbeat is
 * stale); 'failed' stays until a runner starts it again; 'paused' while an operator has
 * paused it (`Processors.pause`) and a runner holds it.
 */
export type ProjectionState =
  | 'catching_up'
  | 'live'
  | 'rebuilding'
  | 'paused'
  | 'stopped'
  | 'failed';

/**
 * Whether a partition makes progress. 'stalled': events of its types wait after its
 * position and the position has not moved for `stallAfterMs`, or it failed (policy
 * 'stop'); 'stopped': no runner's heartbeat is fresh (none runs it, or it died). Neither
 * is ever reported as healthy. 'paused': an operator paused it on purpose (its lag grows,
 * but it is not stuck); readiness does not count it against the process.
 */
export type ProcessorHealth = 'healthy' | 'stalled' | 'stopped' | 'paused';

/** One partition of one projection version, as `status()` reports it. */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  readonly partitions: number;
  /** True for the version queries read. */
  readonly active: boolean;
  readonly state: ProjectionState;
  /** The checkpoint: every event up to here is applied. */
  readonly position: Position;
  /** The store's last committed event. */
  readonly head: Position;
  /** Events of this projection's types (and partition) after its position. */
  readonly lagEvents: number;
  /** Age of the oldest of those events (0 when none). */
  readonly lagMs: number;
  /** See `ProcessorHealth`. */
  readonly health: ProcessorHealth;
  /** Why it is not healthy, in a sentence (the event it failed on, the transaction holding it, its runner's last heartbeat). */
  readonly reason?: string;
  /** How long its position has not moved while events waited (0 when none wait). */
  readonly stuckMs: number;
  /** Events it applied so far (this version). */
  readonly applied: number;
  /** True when this runner holds the partition. */
  readonly owned: boolean;
  /** The runner that works the partition now (`host:pid:random`), this one or another, while its heartbeat is fresh. */
  readonly ownedBy?: string;
  /** The current batch size, while a runner works the partition. */
  readonly batchSize?: number;
  /** The transaction that keeps committed events from readers, when there is one. */
  readonly heldBy?: Pick<RunningTransaction, 'pid' | 'transactionId' | 'ageMs'>;
  /** Set while an operator has paused it: since when and by whom. */
  readonly paused?: { readonly at: string; readonly by?: string };
  /** Progress while rebuilding (a newer version, or after `rebuild`). */
  readonly rebuild?: {
    readonly eventsDone: number;
    readonly eventsPerSec: number;
    readonly etaSeconds: number | null;
  };
  /** Why it failed (state 'failed'): the event it stopped before and the error. */
  readonly error?: ProjectionFailure;
  /**
   * Why the partition waits, while it retries from its checkpoint: a database error, or
   * an `UnavailableError` of a dependency (the broker of a relay, say). Not the event's fault.
   */
  readonly lastError?: string;
}

/** The event a stopped projection failed on. */
export interface ProjectionFailure {
  readonly message: string;
  readonly eventId: string;
  readonly eventPosition: Position;
  readonly stream: string;
  readonly type: string;
}

/** An event that failed under the 'skip' or 'park' policy. */
export interface DeadLetter {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly partition: number;
  readonly event: RecordedEvent;
  readonly error: string;
  /** True when the event's stream is parked (the 'park' policy). */
  readonly parked: boolean;
  readonly createdAt: string;
}

/** Lists and retries dead letters. */
export interface DeadLetters {
  /** Dead letters in the order they were written, of one processor or all. */
  list(name?: string): Promise<DeadLetter[]>;
  /**
   * Hands dead letters (one by id, or all of a processor's) to the processor again, in
   * order, in one transaction with their removal: after a fix, the read model catches up
   * (a reactor handles them behind its inbox; a relay publishes them). Throws and keeps
   * them when the handler still fails. Resolves to the number retried.
   */
  retry(idOrName: string, options?: { readonly signal?: AbortSignal }): Promise<number>;
  /**
   * Drops dead letters (one by id, or all of a processor's) without handing them to the
   * processor: for an event its read model must never see. A parked stream goes on with
   * its next event. Resolves to the number dropped.
   */
  skip(idOrName: string): Promise<number>;
}

/** A read model's tables resolved to the active version, and the database they are in. */
export interface ReadModel {
  readonly tables: ProjectionTables;
  readonly version: number;
  readonly executor: SqlExecutor;
}

/** The runner inside `openProcessors` (the handle adds what needs no running). */
export interface ProcessorRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): Promise<ProjectionStatus[]>;
  rebuild(name: string, options?: { readonly from?: Position | Date }): Promise<void>;
  readonly deadLetters: DeadLetters;
  readModel(name: string): Promise<ReadModel>;
}
