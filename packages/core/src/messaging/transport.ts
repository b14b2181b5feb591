import type { MessageStreamDefinition } from './message-stream.ts';

/** A message on the wire: an id the broker de-duplicates on, a subject, headers and JSON text. */
export interface TransportMessage {
  /** De-duplication id (NATS `Nats-Msg-Id`): Duet uses the event id. */
  readonly id: string;
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly payload: string;
  /**
   * Set on delivery by a transport with tenants in its subjects (`tenantSubjects`): the
   * tenant the wire subject carried, `''` for the no-tenant token `_`. Publishing ignores
   * it: the subject's tenant comes from the `Duet-Tenant` header.
   */
  readonly tenant?: string;
}

/** The broker's acknowledgement of one published message. */
export interface PublishAck {
  readonly stream: string;
  /** The message's sequence in its stream (the first copy's, for a duplicate). */
  readonly sequence: number;
  /** True when the id was already stored within the duplicate window: nothing new was stored. */
  readonly duplicate: boolean;
}

/** One delivery of a stored message to a durable consumer. */
export interface Delivery {
  readonly message: TransportMessage;
  readonly stream: string;
  readonly sequence: number;
  /** 1 on the first delivery, then counting redeliveries. */
  readonly attempt: number;
  /** Done: never deliver it again to this consumer. Resolves once the broker has it. */
  ack(): Promise<void>;
  /** Not now: deliver it again after `delayMs` (counts as an attempt). */
  nak(delayMs?: number): void;
  /** Still working on it: restart the ack timer. */
  working(): void;
}

/** A durable consumer: where it reads and how redelivery works. */
export interface ConsumerSpec {
  /** Durable name, unique per stream. */
  readonly name: string;
  readonly stream: MessageStreamDefinition;
  /** Only subjects matching this (NATS wildcards); default every subject of the stream. */
  readonly filterSubject?: string;
  /** Unacknowledged this long, a delivery is redelivered (ms). */
  readonly ackWaitMs: number;
  /** Deliveries before the broker gives up on a message (Duet dead-letters it on the last one). */
  readonly maxDeliver: number;
  /** Deliveries in flight at once. */
  readonly maxAckPending: number;
}

/** A message a consumer gave up on, kept with why and how often it was tried. */
export interface DeadLetteredMessage {
  /** Its id in the dead-letter store (to replay or remove it). */
  readonly id: string;
  readonly consumer: string;
  readonly message: TransportMessage;
  readonly error: string;
  readonly attempts: number;
  readonly at: string;
}

/**
 * The broker port: ordered publish with de-duplication, durable consumers with explicit
 * ack and redelivery, and a dead-letter store. Adapters: `createInProcessTransport` here
 * (one process, for `npm start` and tests) and `createNatsTransport` in @duet/nats; both
 * pass `runTransportConformance` from `@duet/core/testing`.
 *
 * @example
 * await transport.ensureStreams([ordersStream]);
 * const acks = await transport.publish([{ id, subject: 'orders.OrderPlaced', headers: {}, payload: '{}' }]);
 */
export interface Transport extends AsyncDisposable {
  readonly kind: 'in-process' | 'nats';
  /**
   * Creates the streams that are missing and checks the ones that exist; throws
   * `TransportConfigError` when one differs from its definition in a way that matters
   * (subjects, retention, duplicate window), and warns when a stream meant to be durable
   * has one replica in a cluster.
   */
  ensureStreams(streams: readonly MessageStreamDefinition[]): Promise<void>;
  /**
   * Publishes in order and resolves when every message is stored (acknowledged), one ack
   * per message. Throws `UnavailableError` when the broker cannot be reached or does not
   * answer; then some messages may be stored and others not: publish them all again, the
   * stored ones come back as duplicates.
   */
  publish(
    messages: readonly TransportMessage[],
    options?: { readonly signal?: AbortSignal },
  ): Promise<PublishAck[]>;
  /**
   * A durable consumer's deliveries, in batches of at most `batch`, until `signal`
   * aborts. Creates the consumer if missing. Unacknowledged deliveries come again after
   * `ackWaitMs`, to this process or another one on the same durable name.
   */
  consume(
    spec: ConsumerSpec,
    options: { readonly signal: AbortSignal; readonly batch?: number },
  ): AsyncIterable<Delivery[]>;
  /** Keeps a message a consumer gave up on (call before acking it). */
  deadLetter(consumer: string, delivery: Delivery, error: string): Promise<void>;
  /** Dead letters in the order they were written, of one consumer or all. */
  deadLetters(consumer?: string): Promise<DeadLetteredMessage[]>;
  /** Removes a dead letter (after it was replayed). */
  removeDeadLetter(id: string): Promise<void>;
  /** Closes what the transport opened (never a connection it was handed). */
  close(): Promise<void>;
}
