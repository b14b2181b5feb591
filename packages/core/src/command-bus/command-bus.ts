import type { Decider } from '../decider/decider.ts';
import type { AppendIdempotencyKey, EventStore } from '../event-store/event-store.ts';
import type { ExpectedVersion } from '../event-store/expected-version.ts';
import type { Position } from '../event-store/position.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { SnapshotStore } from '../event-store/snapshot-store.ts';
import type { StreamName } from '../event-store/stream-name.ts';
import type { CommandDefinition } from '../messages/define-command.ts';
import type { EventRegistry } from '../messages/event-registry.ts';
import type { Message } from '../messages/message.ts';

/**
 * Who sends a command and how it relates to what came before. Everything here comes from
 * the transport (authenticated principal, headers), never from the command's body.
 *
 * @example
 * await bus.send(command, { actor: 'user-7', tenant: 'acme', correlationId: req.id });
 */
export interface CommandContext {
  /** The command's id (UUID); the bus makes one when absent. Events get it as `causationId`. */
  readonly commandId?: string;
  /** Shared by everything one request set off; defaults to the command id. */
  readonly correlationId?: string;
  /** What caused this command (an event, for process managers); kept as `commandCausationId`. */
  readonly causationId?: string;
  readonly actor?: string;
  readonly tenant?: string;
  readonly roles?: readonly string[];
  /**
   * The version the caller last saw (HTTP `If-Match`). A mismatch with the stream throws
   * `ConcurrencyError` at once, without the bus's retries.
   */
  readonly expectedVersion?: ExpectedVersion;
  /**
   * An idempotency key the caller claimed for this command (HTTP `Idempotency-Key`): the
   * append completes it in its own transaction, with `{ stream, streamVersion, position,
   * commandId }` as its result (see `AppendOptions.idempotencyKey`).
   */
  readonly idempotencyKey?: Omit<AppendIdempotencyKey, 'result'>;
  readonly signal?: AbortSignal;
}

/**
 * Decides whether a context may send a command: `true` allows it; `false` or a string (the
 * reason) refuses it with an `AuthorizationError`.
 *
 * @example
 * const ownOrdersOnly: CommandPolicy<PlaceOrder> = (command, context) =>
 *   command.data.customerId === context.actor || 'customers place their own orders';
 */
export type CommandPolicy<C extends Message = Message> = (
  command: C,
  context: CommandContext,
) => boolean | string | Promise<boolean | string>;

/** The bus's reply to a command that succeeded. */
export interface CommandResult {
  readonly stream: StreamName;
  /** The stream's version after the command (unchanged when it produced no events). */
  readonly streamVersion: number;
  /** The position of the stream's last event: pass it to queries as `minPosition`. */
  readonly position: Position;
  /**
   * The events appended, with the ids, versions, positions and metadata the store keeps;
   * `data` is as `decide` returned it. Empty when `decide` returned none.
   */
  readonly events: readonly RecordedEvent[];
  readonly commandId: string;
}

/** What middleware sees: the command as sent and its context. */
export interface CommandEnvelope {
  readonly command: Message;
  readonly context: CommandContext;
}

/**
 * Wraps the whole pipeline (lookup, validation, authorization, decide, append), koa-style:
 * call `next()` to go on, and see its result or its error.
 *
 * @example
 * const timing: CommandMiddleware = async ({ command }, next) => {
 *   const started = performance.now();
 *   try { return await next(); } finally { log(command.type, performance.now() - started); }
 * };
 */
export type CommandMiddleware = (
  envelope: CommandEnvelope,
  next: () => Promise<CommandResult>,
) => Promise<CommandResult>;

/** When to keep a snapshot of a handler's state. */
export interface SnapshotPolicy {
  /** The state's shape version: bump it when `State` changes so old snapshots are ignored. */
  readonly version: number;
  /** Save a snapshot each time the stream's version passes a multiple of this. */
  readonly every: number;
}

/**
 * Ties a decider to the commands it handles and to the stream each command goes to. Made
 * by `defineCommandHandler`. (Members are methods so handlers of different deciders fit
 * in one list.)
 */
export interface CommandHandler<
  C extends Message = Message,
  S = unknown,
  E extends Message = Message,
> {
  readonly kind: 'command-handler';
  readonly decider: Decider<C, S, E>;
  readonly commands: readonly CommandDefinition<C['type']>[];
  /** The stream a command is decided on. */
  stream(command: C): string;
  /** Checked after the bus's own policy for the command type, if any. */
  authorize?(command: C, context: CommandContext): boolean | string | Promise<boolean | string>;
  readonly snapshot?: SnapshotPolicy;
}

/** Options of `createCommandBus`. */
export interface CommandBusOptions {
  readonly store: EventStore;
  /** One handler per command type; a type handled twice is an error. */
  readonly handlers: readonly CommandHandler[];
  /** Extra policies by command type, checked before the handler's own. Default: none. */
  readonly policies?: Readonly<Record<string, CommandPolicy>>;
  /** Applied in order: the first one is outermost. Default: none. */
  readonly middleware?: readonly CommandMiddleware[];
  /** Attempts on fresh state when an append loses a race (default 3, at least 1). */
  readonly maxAttempts?: number;
  /** Where handlers with a `snapshot` policy keep state. Without it no snapshots are used. */
  readonly snapshots?: SnapshotStore;
  /** Makes command ids when the context has none (default UUID v7). */
  readonly newId?: () => string;
  /** The registry the store checks with; replies then carry each event's schema version (default 1). */
  readonly events?: EventRegistry;
  /** Told when a snapshot fails to load or save; the command goes on either way. Default: ignore. */
  readonly onSnapshotError?: (error: unknown, stream: StreamName) => void;
  /** The clock that stamps events (default `() => new Date()`). */
  readonly now?: () => Date;
}

/**
 * Sends commands to their handlers.
 *
 * @example
 * const { position } = await bus.send(PlaceOrder.create({ orderId: 'o-1' }), { actor: 'u-1' });
 */
export interface CommandBus {
  /**
   * Validates, authorizes, decides and appends one command. Throws `UnknownMessageError`,
   * `ValidationError`, `AuthorizationError`, the decider's `DomainError`, `ConcurrencyError`
   * (the context's `expectedVersion` did not match) or `RetriesExhaustedError`.
   */
  send(command: unknown, context?: CommandContext): Promise<CommandResult>;
}
