import { ConcurrencyError } from '../errors/concurrency-error.ts';
import { DuplicateEventError } from '../errors/duplicate-event-error.ts';
import type { CommittedEventPages } from '../event-store/committed-event-pages.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  StreamInfo,
} from '../event-store/event-store.ts';
import { matchesExpectedVersion } from '../event-store/expected-version.ts';
import { makePosition, START_POSITION } from '../event-store/position.ts';
import { type CheckedEvent, prepareAppendInput } from '../event-store/prepare-append-input.ts';
import type { NewEvent } from '../event-store/recorded-event.ts';
import { type StreamName, toStreamName } from '../event-store/stream-name.ts';
import type { Message } from '../messages/message.ts';
import { createChangeNotifier } from './change-notifier.ts';
import { createInMemoryCommittedPages } from './in-memory-committed-pages.ts';
import {
  createInMemoryEventLog,
  type InMemoryEventLog,
  type StoredAppend,
  type StoredEvent,
} from './in-memory-event-log.ts';
import {
  type InMemoryEventStoreOptions,
  resolveInMemoryEventStoreOptions,
} from './in-memory-event-store-options.ts';
import { createInMemoryReads } from './in-memory-reads.ts';
import { sameJson } from './same-json.ts';

/** An event store that lives in one process's memory, with committed pages, and can be disposed. */
export type InMemoryEventStore = EventStore & CommittedEventPages & AsyncDisposable;

/**
 * An event store in memory, for fast unit tests and examples. It passes the same
 * conformance suite as the PostgreSQL store: expected versions, idempotent retries by
 * event id, limits, paged reads, subscriptions. Nothing survives the process.
 *
 * @example
 * await using store = createInMemoryEventStore({ events: createEventRegistry([ItemAdded]) });
 * await store.append('cart-1', [ItemAdded.create({ sku: 'a', quantity: 1 })], { expectedVersion: 'no_stream' });
 */
export function createInMemoryEventStore(
  options: InMemoryEventStoreOptions = {},
): InMemoryEventStore {
  const config = resolveInMemoryEventStoreOptions(options);
  const log = createInMemoryEventLog();
  const changes = createChangeNotifier();
  // The transaction half of a position is constant: one process, one writer at a time.
  let sequence = 0n;
  const reads = createInMemoryReads({
    log,
    changes,
    registry: config.events,
    pageSize: config.pageSize,
  });
  const pages = createInMemoryCommittedPages({ log, changes, registry: config.events });

  async function append(
    stream: string,
    events: readonly NewEvent[],
    appendOptions: AppendOptions = {},
  ): Promise<AppendResult> {
    appendOptions.signal?.throwIfAborted();
    const expected = appendOptions.expectedVersion ?? 'any';
    const at = config.now().toISOString();
    const checked = await prepareAppendInput(stream, events, expected, {
      limits: config.limits,
      registry: config.events,
      timestamp: at,
    });
    const { stream: name, events: prepared } = checked;
    // From here on everything is synchronous, so no other append interleaves: the
    // checks and the commit are one atomic step.
    appendOptions.signal?.throwIfAborted();
    const retried = originalOfRetry(log, name, prepared);
    if (retried) return retried;
    const actual = log.version(stream);
    if (!matchesExpectedVersion(checked.expected, actual)) {
      throw new ConcurrencyError(stream, expected, actual);
    }
    const positions = prepared.map(() => makePosition(0n, ++sequence));
    const result: AppendResult = {
      stream: name,
      streamVersion: actual + prepared.length,
      position: positions.at(-1)!,
      positions,
      ids: prepared.map((event) => event.id),
    };
    const record: StoredAppend = { result, eventCount: prepared.length };
    log.commit(
      prepared.map((event, index) => ({
        ...event,
        stream: name,
        streamVersion: actual + index + 1,
        position: positions[index]!,
        append: record,
      })),
      at,
    );
    changes.notify();
    return result;
  }

  const store: InMemoryEventStore = {
    append: <E extends Message>(
      stream: string,
      events: readonly NewEvent<E>[],
      appendOptions?: AppendOptions,
    ) => append(stream, events as readonly NewEvent[], appendOptions),
    readStream: reads.readStream,
    readAll: reads.readAll,
    subscribe: reads.subscribe,
    readCommittedPage: pages.readCommittedPage,
    commits: pages.commits,
    async streamInfo(stream): Promise<StreamInfo | null> {
      const stored = log.stream(toStreamName(stream));
      const last = stored?.events.at(-1);
      if (!stored || !last) return null;
      return {
        stream: last.stream,
        version: last.streamVersion,
        position: last.position,
        createdAt: stored.createdAt,
        updatedAt: stored.updatedAt,
      };
    },
    async headPosition() {
      return log.last()?.position ?? START_POSITION;
    },
    async [Symbol.asyncDispose]() {
      // Ends every subscription; the events stay readable, as a closed database's would not
      // be, but nothing depends on that.
      changes.close();
    },
  };
  return store;
}

/**
 * When every event id of the append is already stored by one earlier append with the same
 * stream, type and data, the append is a retry: the answer is that append's result, even
 * though the expected version no longer matches. Any other reuse of a stored id is a
 * `DuplicateEventError`.
 */
function originalOfRetry(
  log: InMemoryEventLog,
  stream: StreamName,
  prepared: readonly CheckedEvent[],
): AppendResult | undefined {
  const found = prepared.map((event) => ({ event, stored: log.byId(event.id) }));
  const firstStored = found.find((pair) => pair.stored !== undefined);
  if (!firstStored) return undefined;
  const original = firstStored.stored!.append;
  for (const { event, stored } of found) {
    if (!stored || stored.append !== original || !sameEvent(stored, stream, event)) {
      throw new DuplicateEventError(stored ? event.id : firstStored.event.id, stream);
    }
  }
  if (original.eventCount !== prepared.length) {
    throw new DuplicateEventError(firstStored.event.id, stream);
  }
  return original.result;
}

function sameEvent(stored: StoredEvent, stream: StreamName, event: CheckedEvent): boolean {
  return (
    stored.stream === stream && stored.type === event.type && sameJson(stored.data, event.data)
  );
}
