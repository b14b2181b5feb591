import type { Message } from '../messages/message.ts';
import type { ExpectedVersion } from './expected-version.ts';
import type { Position } from './position.ts';
import type { NewEvent, RecordedEvent } from './recorded-event.ts';
import type { StreamName } from './stream-name.ts';

/**
 * An idempotency key claimed in an `IdempotencyStore`, to complete in the append's own
 * transaction: the key's result is stored if and only if the events are. A retry after a
 * reply lost in transit then finds the key completed instead of running again.
 *
 * @example
 * await store.append('cart-1', events, { idempotencyKey: { scope, key, token, result: { commandId } } });
 */
export interface AppendIdempotencyKey {
  readonly scope: string;
  readonly key: string;
  /** The token `claim` returned: a claim taken over by someone else is left alone. */
  readonly token: string;
  /** Stored as the key's result, with the append's `stream`, `streamVersion` and `position` set on it. */
  readonly result?: Readonly<Record<string, unknown>>;
}

export interface AppendOptions {
  /** Default `'any'`. A mismatch throws `ConcurrencyError` and stores nothing. */
  readonly expectedVersion?: ExpectedVersion;
  /**
   * Completes this claimed key in the append's transaction, when the store keeps
   * idempotency keys in the same database (`@duet/postgres`: the idempotency store on the
   * event store's schema). Stores that do not ignore it; the caller completes the key
   * afterwards either way (a no-op once completed).
   */
  readonly idempotencyKey?: AppendIdempotencyKey;
  readonly signal?: AbortSignal;
}

export interface AppendResult {
  readonly stream: StreamName;
  /** The stream's version after the append: the version of its last new event. */
  readonly streamVersion: number;
  /** The position of the last appended event: hand it to queries for read-your-writes. */
  readonly position: Position;
  /** One position per appended event, in order. */
  readonly positions: readonly Position[];
  /**
   * One id per appended event, in order: the caller's (lower case) or the one the store
   * made. So a writer can name the stored events without sending ids of its own, which
   * would make the store look for an earlier copy of them (an idempotent retry) first.
   */
  readonly ids: readonly string[];
}

export interface ReadStreamOptions {
  /** Default `'forward'`. */
  readonly direction?: 'forward' | 'backward';
  /**
   * First version to return, inclusive. Forward default 1; backward default the last
   * event of the stream.
   */
  readonly fromVersion?: number;
  /** Last version to return, inclusive (forward: the highest; backward: the lowest). */
  readonly toVersion?: number;
  /** At most this many events. */
  readonly maxCount?: number;
  /** Events fetched per round trip (the store's default if absent). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export interface ReadAllOptions {
  /** Return events strictly after this position (default: from the beginning); pass the last event's `position` to go on. */
  readonly after?: Position;
  /** Only streams of this category (the stream name up to the first `-`). */
  readonly category?: string;
  /** Only events of these types (`[]` matches nothing). */
  readonly types?: readonly string[];
  /** Stop after this many events (default: no limit). */
  readonly maxCount?: number;
  /** Events fetched per round trip (the store's default if absent). */
  readonly pageSize?: number;
  /** Aborting it makes the next page throw its reason (an `AbortError`). */
  readonly signal?: AbortSignal;
}

export interface SubscribeOptions extends Omit<ReadAllOptions, 'maxCount'> {
  /** Ends the subscription: the iterator returns. */
  readonly signal?: AbortSignal;
}

export interface StreamInfo {
  readonly stream: StreamName;
  /** Version of the last event (the number of events in the stream). */
  readonly version: number;
  /** Position of the stream's last event. */
  readonly position: Position;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The write model's storage port. Stream names go in as plain strings (checked at run
 * time: 1 to 500 characters, else `ValidationError`) and come out branded `StreamName`.
 * Adapters: `createInMemoryEventStore` here,
 * `createPostgresEventStore` in @duet/postgres. Every adapter passes the conformance suite
 * in `@duet/core/testing`.
 *
 * @example
 * const { position } = await store.append('order-1', [{ type: 'OrderPlaced', data }], { expectedVersion: 3 });
 * for await (const event of store.readStream('order-1')) state = evolve(state, event);
 */
export interface EventStore {
  /**
   * Appends events to one stream atomically: all or none. Versions follow the stream's
   * last one without gaps. Throws `ConcurrencyError` on an expected-version mismatch,
   * `DuplicateEventError` for a reused event id with other content, `ValidationError` for
   * an empty append or data its event definition rejects.
   */
  append<E extends Message>(
    stream: string,
    events: readonly NewEvent<E>[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** One stream's events in version order, fetched in pages. A missing stream yields none. */
  readStream<E extends Message = Message>(
    stream: string,
    options?: ReadStreamOptions,
  ): AsyncIterable<RecordedEvent<E>>;
  /**
   * Every committed event after a position, in global order, fetched in pages. Never
   * skips an event that commits late: it stops where an older transaction is still open.
   */
  readAll<E extends Message = Message>(options?: ReadAllOptions): AsyncIterable<RecordedEvent<E>>;
  /**
   * Like `readAll`, then follows new events as they commit. Never ends by itself, not
   * even when caught up: abort `signal` (the loop then finishes normally) or `break`.
   *
   * @example
   * for await (const event of store.subscribe({ after: checkpoint, types: ['OrderPlaced'], signal })) await handle(event);
   */
  subscribe<E extends Message = Message>(
    options?: SubscribeOptions,
  ): AsyncIterable<RecordedEvent<E>>;
  /** A stream's version and times, or `null` when it has no events. */
  streamInfo(stream: string): Promise<StreamInfo | null>;
  /** The position of the last event `readAll` can return now (`START_POSITION` if none). */
  headPosition(): Promise<Position>;
}
