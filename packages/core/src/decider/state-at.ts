import { ValidationError } from '../errors/validation-error.ts';
import type { EventStore } from '../event-store/event-store.ts';
import type { Message } from '../messages/message.ts';
import type { Decider } from './decider.ts';

/** A point in a stream's history: after a stream version, or as of a moment. */
export type PointInTime = { readonly version: number } | { readonly timestamp: Date | string };

/**
 * Time travel: a stream's state as it was at a version or a moment, folded from the
 * events up to that point (events recorded after `timestamp` are left out).
 *
 * @example
 * const { state, version } = await stateAt(store, orderDecider, 'order-1', { version: 3 });
 * const then = await stateAt(store, orderDecider, 'order-1', { timestamp: '2026-11-01T12:00:00Z' });
 */
export async function stateAt<State, Event extends Message>(
  store: Pick<EventStore, 'readStream'>,
  decider: Pick<Decider<Message, State, Event>, 'initialState' | 'evolve'>,
  stream: string,
  at: PointInTime,
): Promise<{ state: State; version: number }> {
  let state = decider.initialState();
  let version = 0;
  if ('version' in at) {
    if (!Number.isSafeInteger(at.version) || at.version < 0) {
      throw new ValidationError('point in time', [
        { path: ['version'], message: 'expected a whole number >= 0' },
      ]);
    }
    if (at.version === 0) return { state, version };
    for await (const event of store.readStream<Event>(stream, { toVersion: at.version })) {
      state = decider.evolve(state, event);
      version = event.streamVersion;
    }
    return { state, version };
  }
  const limit = new Date(at.timestamp).getTime();
  if (Number.isNaN(limit)) {
    throw new ValidationError('point in time', [
      { path: ['timestamp'], message: 'expected an ISO 8601 date and time' },
    ]);
  }
  for await (const event of store.readStream<Event>(stream)) {
    // Versions are recorded in time order within a stream, so the first later one ends it.
    if (new Date(event.metadata.timestamp).getTime() > limit) break;
    state = decider.evolve(state, event);
    version = event.streamVersion;
  }
  return { state, version };
}
