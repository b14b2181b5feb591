import type { EventStore } from '../event-store/event-store.ts';
import type { SnapshotStore } from '../event-store/snapshot-store.ts';
import type { StreamName } from '../event-store/stream-name.ts';
import type { Message } from '../messages/message.ts';
import type { CommandHandler } from './command-bus.ts';
import type { LongStreams } from './long-streams.ts';

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
 * The bus saves a snapshot only once a stream reaches `every` events, so a stream not
 * known to be that long is read from its start first, at most `every` events: when it
 * ends sooner (most streams) that one read is the whole load, without a snapshot round
 * trip. Streams seen reaching `every` are remembered in `longStreams` and load from their
 * snapshot at once.
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
    readonly longStreams?: LongStreams | undefined;
    readonly onSnapshotError?: ((error: unknown, stream: StreamName) => void) | undefined;
    readonly signal?: AbortSignal | undefined;
  },
): Promise<LoadedState<S>> {
  const { decider } = handler;
  let state = decider.initialState();
  let version = 0;
  const fold = async (options: { fromVersion: number; maxCount?: number }) => {
    const events = io.store.readStream<E>(stream, {
      ...options,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    for await (const event of events) {
      state = decider.evolve(state, event);
      version = event.streamVersion;
    }
  };
  const policy = handler.snapshot;
  if (policy && io.snapshots) {
    if (!io.longStreams?.has(stream)) {
      await fold({ fromVersion: 1, maxCount: policy.every });
      if (version < policy.every) return { state, version };
    }
    try {
      const snapshot = await io.snapshots.load<S>(stream, policy.version);
      if (snapshot && snapshot.streamVersion >= version) {
        state = snapshot.state;
        version = snapshot.streamVersion;
      }
    } catch (error) {
      io.onSnapshotError?.(error, stream);
    }
  }
  await fold({ fromVersion: version + 1 });
  if (policy && version >= policy.every) io.longStreams?.add(stream);
  return { state, version };
}
