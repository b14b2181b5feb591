import { randomBytes } from 'node:crypto';
import type { DeadLetteredMessage, Decider, Message, RecordedEvent } from '@duet/core';
import type { Authenticate } from '@duet/http';
import type { PostgresEventStore, Processors } from '@duet/postgres';

/** A store the console browses: one per service schema. */
export interface ConsoleStore {
  /** Shown in the console and used in its URLs, e.g. 'orders'. */
  readonly name: string;
  readonly store: Pick<
    PostgresEventStore,
    'executor' | 'schema' | 'readStream' | 'append' | 'oldestRunningTransaction'
  >;
}

/** One service's processors (projections, relays, reactors, sagas). */
export interface ConsoleProcessors {
  /** The service they belong to, e.g. 'orders'. */
  readonly name: string;
  readonly processors: Pick<
    Processors,
    'status' | 'rebuildRequests' | 'deadLetters' | 'pause' | 'resume'
  >;
}

/** A broker consumer with dead letters (core's `IntegrationConsumer`). */
export interface ConsoleConsumer {
  readonly name: string;
  deadLetters(): Promise<readonly DeadLetteredMessage[]>;
  replay(id?: string): Promise<number>;
  discard(id?: string): Promise<number>;
}

/** One line of a saga's timeline, as the saga's own code describes its events. */
export interface ConsoleSagaStep {
  /** When the saga recorded it (ISO 8601). */
  readonly at: string;
  /** What happened, in a few words: `stock reserved`, `payment timed out`. */
  readonly step: string;
  readonly detail: string;
  /** An undo: a release, a void, the start of compensation. */
  readonly compensation?: boolean;
}

/** A saga (process manager) the console shows: its streams, timeline and timers. */
export interface ConsoleSaga {
  /** Shown and used in URLs, e.g. 'placement'. */
  readonly name: string;
  /** The store (by name) that holds its streams. */
  readonly store: string;
  /** Its streams' category: `placement` for `placement-<orderId>`. */
  readonly category: string;
  /** Its timeline, from the events of one of its streams. */
  timeline(events: readonly RecordedEvent[]): readonly ConsoleSagaStep[];
  /** Its timers still to fire, for one stream. */
  timers?(stream: string): Promise<readonly { readonly kind: string; readonly dueAt: string }[]>;
}

/** What folds a stream's events into state, for time travel. */
export type ConsoleDecider = Pick<Decider<Message, unknown, Message>, 'initialState' | 'evolve'>;

/** Options of `duetConsole`; checked when the plugin is registered. */
export interface DuetConsoleOptions {
  /** Finds the principal of a request (the same as `duetHttp`'s); the login form uses it too. */
  readonly authenticate: Authenticate;
  readonly stores: readonly ConsoleStore[];
  readonly processors?: readonly ConsoleProcessors[];
  readonly consumers?: readonly ConsoleConsumer[];
  /** Deciders by stream category, for a stream's state at each version. */
  readonly deciders?: Readonly<Record<string, ConsoleDecider>>;
  /** Sagas whose timelines, timers and compensations the Sagas page shows. */
  readonly sagas?: readonly ConsoleSaga[];
  /** The role that may see and act (default 'staff'). */
  readonly staffRole?: string;
  /** The role that may only see (default 'console-viewer'). */
  readonly viewerRole?: string;
  /** Everyone is read-only: no rebuild, pause, resume, retry or skip (default false). */
  readonly readOnly?: boolean;
  /**
   * Where actions are recorded: the store (by name; default the first) and the stream of a
   * day (default `console_audit-<yyyy-mm-dd>`).
   */
  readonly audit?: { readonly store?: string; readonly stream?: (at: Date) => string };
  /**
   * Signs session cookies and CSRF tokens, at least 32 bytes (default: random per process,
   * so sessions end when the process does; give one to share sessions between instances).
   */
  readonly secret?: string;
  /** How long a login lasts (default 8 hours). */
  readonly sessionMs?: number;
  /** How often the processors' live view refreshes (default 1,000 ms). */
  readonly liveIntervalMs?: number;
  /** The clock (default `() => new Date()`). */
  readonly now?: () => Date;
}

export interface ResolvedConsoleOptions
  extends Required<
    Omit<DuetConsoleOptions, 'audit' | 'deciders' | 'processors' | 'consumers' | 'sagas'>
  > {
  readonly sagas: readonly ConsoleSaga[];
  readonly processors: readonly ConsoleProcessors[];
  readonly consumers: readonly ConsoleConsumer[];
  readonly deciders: Readonly<Record<string, ConsoleDecider>>;
  readonly audit: { readonly store: ConsoleStore; readonly stream: (at: Date) => string };
  readonly storeByName: ReadonlyMap<string, ConsoleStore>;
}

/** A bad option, found when the plugin is registered. */
export class ConsoleOptionError extends Error {
  override readonly name = 'ConsoleOptionError';
  readonly code = 'console_option';
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`duetConsole option ${option}: ${problem}`);
  }
}

const namePattern = /^[a-z0-9_]{1,63}$/;

/** Checks every option and fills in defaults; a bad one throws `ConsoleOptionError`. */
export function resolveConsoleOptions(options: DuetConsoleOptions): ResolvedConsoleOptions {
  if (typeof options?.authenticate !== 'function') {
    throw new ConsoleOptionError('authenticate', 'expected a function (e.g. apiKeyAuthentication)');
  }
  if (!Array.isArray(options.stores) || options.stores.length === 0) {
    throw new ConsoleOptionError('stores', 'expected at least one { name, store }');
  }
  const storeByName = new Map<string, ConsoleStore>();
  for (const entry of options.stores) {
    if (!namePattern.test(entry.name) || storeByName.has(entry.name)) {
      throw new ConsoleOptionError(
        'stores',
        `name ${JSON.stringify(entry.name)} is not a unique [a-z0-9_] name`,
      );
    }
    storeByName.set(entry.name, entry);
  }
  const sagas = options.sagas ?? [];
  const sagaNames = new Set<string>();
  for (const saga of sagas) {
    if (!namePattern.test(saga.name) || sagaNames.has(saga.name)) {
      throw new ConsoleOptionError(
        'sagas',
        `name ${JSON.stringify(saga.name)} is not a unique [a-z0-9_] name`,
      );
    }
    sagaNames.add(saga.name);
    if (!storeByName.has(saga.store)) {
      throw new ConsoleOptionError(
        'sagas',
        `saga ${saga.name}: no store named ${JSON.stringify(saga.store)}`,
      );
    }
    if (typeof saga.timeline !== 'function') {
      throw new ConsoleOptionError('sagas', `saga ${saga.name}: timeline must be a function`);
    }
  }
  const auditStore = options.audit?.store
    ? storeByName.get(options.audit.store)
    : options.stores[0];
  if (!auditStore) throw new ConsoleOptionError('audit.store', 'expected the name of a store');
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  if (Buffer.byteLength(secret) < 32)
    throw new ConsoleOptionError('secret', 'expected >= 32 bytes');
  const sessionMs = options.sessionMs ?? 8 * 3_600_000;
  const liveIntervalMs = options.liveIntervalMs ?? 1_000;
  for (const [key, value] of [
    ['sessionMs', sessionMs],
    ['liveIntervalMs', liveIntervalMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 10) {
      throw new ConsoleOptionError(key, 'expected a whole number of milliseconds >= 10');
    }
  }
  return {
    authenticate: options.authenticate,
    stores: options.stores,
    processors: options.processors ?? [],
    consumers: options.consumers ?? [],
    deciders: options.deciders ?? {},
    sagas,
    staffRole: options.staffRole ?? 'staff',
    viewerRole: options.viewerRole ?? 'console-viewer',
    readOnly: options.readOnly ?? false,
    audit: {
      store: auditStore,
      stream: options.audit?.stream ?? ((at) => `console_audit-${at.toISOString().slice(0, 10)}`),
    },
    secret,
    sessionMs,
    liveIntervalMs,
    now: options.now ?? (() => new Date()),
    storeByName,
  };
}
