// Shared by the shop's services (customers, payments, the placement saga): a small kit every
// service module uses, not a service of its own, so no service imports another.
import {
  ConcurrencyError,
  type Decider,
  type EventMetadataInput,
  type Message,
  type RecordedEvent,
} from '@duet/core';
import {
  type EventStoreTransaction,
  LateAppendError,
  type PostgresEventStore,
} from '@duet/postgres';

/** Where a stream's state is folded from: the decider's `initialState` and `evolve`. */
export type Evolver<S, E extends Message> = Pick<Decider<Message, S, E>, 'initialState' | 'evolve'>;

/** Options of `decideInTransaction`. */
export interface DecideInTransactionOptions<S, E extends Message> {
  readonly tx: EventStoreTransaction;
  /** The store the transaction belongs to: its schema, and its registry for upcasting. */
  readonly store: Pick<PostgresEventStore, 'schema' | 'events'>;
  readonly stream: string;
  readonly evolver: Evolver<S, E>;
  /** The events for this state (none: nothing to record). May call out (a gateway). */
  decide(state: S, version: number): Promise<readonly E[]> | readonly E[];
  /** Stamped on every appended event (correlation, causation, actor). */
  readonly metadata: EventMetadataInput;
  /** Reads and decisions before a lost race is given up (default 5). */
  readonly attempts?: number;
}

/** What was appended (`events` empty when the decision was to record nothing). */
export interface DecidedInTransaction<E extends Message> {
  readonly version: number;
  readonly events: readonly RecordedEvent<E>[];
}

/**
 * Reads a stream inside a store transaction (through its own connection: on PGlite a read
 * on the executor would wait for this very transaction), folds it, decides, and appends
 * with the version it read. A `ConcurrencyError` means another writer committed in
 * between; the append's failure left this transaction usable and holding the stream's
 * lock, so the stream is read and decided again here. A `LateAppendError` cannot be cured
 * in this transaction (its id is older than the winner's): it is thrown, and the caller
 * runs the whole transaction again (a consumer by redelivery).
 *
 * @example
 * await store.transaction((tx) => decideInTransaction({ tx, store, stream: 'customer-ada',
 *   evolver: customerDecider, decide: (state) => [customerDecider.decide(command, state, SAGA_CONTEXT)].flat(),
 *   metadata: { causationId: message.id } }));
 */
export async function decideInTransaction<S, E extends Message>(
  options: DecideInTransactionOptions<S, E>,
): Promise<DecidedInTransaction<E>> {
  const { tx, stream, evolver, metadata } = options;
  const attempts = options.attempts ?? 5;
  let lastError: ConcurrencyError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const { state, version } = await foldStreamIn(tx, stream, evolver);
    const events = await options.decide(state, version);
    if (events.length === 0) return { version, events: [] };
    try {
      // No ids: the store makes them (and skips the look-up for a retried copy) and names them.
      const result = await tx.append(
        stream,
        events.map((event) => ({ type: event.type, data: event.data, metadata })),
        { expectedVersion: version === 0 ? 'no_stream' : version },
      );
      const first = result.streamVersion - events.length + 1;
      const recorded = events.map((event, index) => ({
        ...event,
        id: result.ids[index]!,
        stream: result.stream,
        streamVersion: first + index,
        position: result.positions[index] ?? result.position,
        schemaVersion: options.store.events?.get(event.type)?.version ?? 1,
        metadata: { timestamp: new Date().toISOString(), ...metadata },
      }));
      return { version: result.streamVersion, events: recorded };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || error instanceof LateAppendError) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * A stream's state and version, read through the transaction (`tx.readStream`: it sees
 * what the transaction appended, and on PGlite it does not wait for the transaction).
 *
 * @example
 * const { state, version } = await foldStreamIn(tx, 'payment-o-1', paymentDecider);
 */
export async function foldStreamIn<S, E extends Message>(
  tx: Pick<EventStoreTransaction, 'readStream'>,
  stream: string,
  evolver: Evolver<S, E>,
): Promise<{ state: S; version: number }> {
  let state = evolver.initialState();
  let version = 0;
  for await (const event of tx.readStream<E>(stream)) {
    state = evolver.evolve(state, event);
    version = event.streamVersion;
  }
  return { state, version };
}
