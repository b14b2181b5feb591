import type { Message } from '../messages/message.ts';
import type { Position } from './position.ts';
import type { StreamName } from './stream-name.ts';

/** Who and what caused an event; carried from the command to every event it produced. */
export interface EventMetadata {
  /** Shared by everything that one original request set off. */
  readonly correlationId?: string;
  /** The id of the command or event that directly caused this one. */
  readonly causationId?: string;
  /** Who sent the command (from the authenticated principal, never from a request body). */
  readonly actor?: string;
  readonly tenant?: string;
  /** When the store recorded the event (ISO 8601). */
  readonly timestamp: string;
  readonly [key: string]: unknown;
}

/** Metadata as a writer gives it: the store fills in `timestamp`. */
export type EventMetadataInput = Omit<Partial<EventMetadata>, 'timestamp'> & {
  readonly timestamp?: string;
};

/** An event to append: its type and data, optionally its id (UUID v7 if absent) and metadata. */
export interface NewEvent<E extends Message = Message> {
  readonly type: E['type'];
  readonly data: E['data'];
  /**
   * Give one to make retries idempotent: the same id and payload return the first result.
   * Without one the store makes a UUID v7 (returned in `AppendResult.ids`) and, when no
   * event of the append brings an id, skips the look-up for an earlier copy.
   */
  readonly id?: string;
  readonly metadata?: EventMetadataInput;
}

/** What the store adds around a domain event. */
export interface EventEnvelope {
  /** UUID v7, unique across the store. */
  readonly id: string;
  readonly stream: StreamName;
  /** 1 for the first event of a stream, then contiguous. */
  readonly streamVersion: number;
  /** Place in the global order. */
  readonly position: Position;
  /** The schema version the data is in (after upcasting: the definition's current one). */
  readonly schemaVersion: number;
  readonly metadata: EventMetadata;
}

/**
 * An event as stored: the domain event (`type`, `data`) inside its envelope. A union of
 * events stays a union discriminated on `type`, and a recorded event is still an event,
 * so it can go straight into `evolve`.
 */
export type RecordedEvent<E extends Message = Message> = E & EventEnvelope;
