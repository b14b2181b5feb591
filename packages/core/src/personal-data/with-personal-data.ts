import type { CommittedEventPages } from '../event-store/committed-event-pages.ts';
import type { EventStore } from '../event-store/event-store.ts';
import type { RecordedEvent } from '../event-store/recorded-event.ts';
import { openPersonalEvents, openPersonalStream } from './open-personal-data.ts';
import { type PersonalDataOptions, sealPersonalEvents } from './seal-personal-data.ts';

/**
 * Wraps an event store so that personal fields are sealed on append (AES-256-GCM, one
 * key per data subject) and opened on every read: `readStream`, `readAll`, `subscribe`
 * and the processors' `readCommittedPage`. Once a subject is forgotten (its key deleted),
 * its fields read as their definition's `forgotten` replacement and everything else reads
 * as before. The stored bytes never hold the plain text. Other members pass through.
 *
 * @example
 * const events = createEventRegistry([CustomerRegistered]);
 * const store = withPersonalData(createInMemoryEventStore({ events }), { keys: createInMemoryPersonalDataKeys(), events });
 */
export function withPersonalData<S extends EventStore & Partial<CommittedEventPages>>(
  store: S,
  options: PersonalDataOptions,
): S {
  const { keys, events: registry } = options;
  const open = <E extends RecordedEvent>(batch: readonly E[]) =>
    openPersonalEvents(batch, keys, registry);
  const opened = <E extends RecordedEvent>(source: AsyncIterable<E>) =>
    openPersonalStream(source, keys, registry);
  const wrapped: EventStore & Partial<CommittedEventPages> = {
    ...store,
    append: async (stream, newEvents, appendOptions) =>
      store.append(stream, await sealPersonalEvents(newEvents, options), appendOptions),
    readStream: (stream, readOptions) => opened(store.readStream(stream, readOptions)),
    readAll: (readOptions) => opened(store.readAll(readOptions)),
    subscribe: (subscribeOptions) => opened(store.subscribe(subscribeOptions)),
  };
  const pages = store.readCommittedPage;
  if (pages) {
    wrapped.readCommittedPage = async (after, pageOptions) => {
      const page = await pages(after, pageOptions);
      return { ...page, events: await open(page.events) };
    };
  }
  return wrapped as S;
}
