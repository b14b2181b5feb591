import type { RecordedEvent } from '../event-store/recorded-event.ts';
import type { EventRegistry } from '../messages/event-registry.ts';
import type { Message } from '../messages/message.ts';
import type { StoredEvent } from './in-memory-event-log.ts';

/**
 * A stored event as readers see it: old schema versions upcast through the registry.
 * Parsing the stored JSON gives every reader its own copy, as a database would.
 */
export function toRecordedEvent<E extends Message = Message>(
  stored: StoredEvent,
  registry: EventRegistry | undefined,
): RecordedEvent<E> {
  const raw = JSON.parse(stored.data) as unknown;
  const { data, schemaVersion } = registry
    ? registry.upcast(stored.type, raw, stored.schemaVersion)
    : { data: raw, schemaVersion: stored.schemaVersion };
  const event: RecordedEvent = {
    id: stored.id,
    stream: stored.stream,
    streamVersion: stored.streamVersion,
    position: stored.position,
    type: stored.type,
    schemaVersion,
    data,
    metadata: JSON.parse(stored.metadata) as RecordedEvent['metadata'],
  };
  return event as RecordedEvent<E>;
}
