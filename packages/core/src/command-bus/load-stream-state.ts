import type { EventStore } from '../event-store/event-store.ts';
import type { SnapshotStore } from '../event-store/snapshot-store.ts';
import type { StreamName } from '../event-store/stream-name.ts';
import type { Message } from '../messages/message.ts';
import type { CommandHandler } from './command-bus.ts';

/** A stream's state as a handler's decider sees it, and the version it includes. */
export interface LoadedState<S> {
  readonly state: S;
  /** The version of the last event folded in; 0 for a stream with no events. */
  readonly version: number;
}

/**
 * Rebuilds a stream's state: from the newest snapshot when the handler keeps them, then
 * the events after it. A snapshot that fails to load is reported and skipped (it is only
 * a cache; the stream is the truth).
 *
 * @example
 * const { state, version } = await loadStreamState(handler, 'order-1', { store });
 */
export async function loadStreamState<C extends Message, S, E extends Message>(
  handler: CommandHandler<C, S, E>,
  stream: StreamName,
  io: {
    readonly store: EventStore;
    readonly snapshots?: SnapshotStore | undefined;
    readonly onSnapshotError?: ((error: unknown, stream: StreamName) => void) | undefined;
    readonly signal?: AbortSignal | undefined;
  },
): Promise<LoadedState<S>> {
  const { decider } = handler;
  let state = decider.initialState();
  let version = 0;
  if (handler.snapshot && io.snapshots) {
    try {
      const snapshot = await io.snapshots.load<S>(stream, handler.snapshot.version);
      if (snapshot) {
        state = snapshot.state;
        version = snapshot.streamVersion;
      }
    } catch (error) {
      io.onSnapshotError?.(error, stream);
    }
  }
  const tail = io.store.readStream<E>(stream, {
    fromVersion: version + 1,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  for await (const event of tail) {
    state = decider.evolve(state, event);
    version = event.streamVersion;
  }
  return { state, version };
}
