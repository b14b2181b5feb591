import {
  createEventRegistry,
  type EventRegistry,
  type ProcessorDefinition,
  type RecordedEvent,
} from '@duet/core';
import { checkEventData, forgottenFieldsOf } from '@duet/core/adapters';
import { messageOf } from './poisoned-event-error.ts';

/** An event as stored, brought to what the processor's definitions describe, or refused. */
export type EventDecoder = (event: RecordedEvent) => Promise<RecordedEvent>;

/**
 * An event a processor cannot take as stored: its upcaster threw, its data fails its
 * definition's schema, or a strict store registry does not know its type. Not a database
 * fault: it is the event's, so the failure policy decides (never a wait-and-retry loop).
 */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
  constructor(
    readonly event: RecordedEvent,
    override readonly cause: unknown,
  ) {
    super(
      `event ${event.id} (${event.type} v${event.schemaVersion} in ${event.stream} at version ${event.streamVersion}) cannot be decoded: ${messageOf(cause)}`,
    );
  }
}

/**
 * Upcasts with the processor's own definitions first, then the store's registry, and checks
 * the result against the current schema (a strict store registry also refuses types it does
 * not know). The data handed on is the upcast data, not the schema's output: what was
 * stored already passed the schema on append, and a second pass through a transform could
 * change it. Throws `UndecodableEventError` naming the event.
 *
 * @example
 * const decode = createEventDecoder(projection, store.events);
 * const event = await decode(stored); // v2 data, checked
 */
export function createEventDecoder(
  processor: ProcessorDefinition,
  storeRegistry: EventRegistry | undefined,
): EventDecoder {
  const own = createEventRegistry(processor.eventDefinitions, { strict: false });
  return async (event) => {
    // Personal fields of a forgotten subject hold replacements the schema need not accept.
    const forgotten = forgottenFieldsOf(event.metadata);
    try {
      const definition = own.get(event.type);
      if (definition) {
        const upcast = own.upcast(event.type, event.data, event.schemaVersion);
        await checkEventData(definition, upcast.data, `event ${event.type}`, forgotten);
        return { ...event, ...upcast };
      }
      if (!storeRegistry) return event;
      const upcast = storeRegistry.upcast(event.type, event.data, event.schemaVersion);
      await storeRegistry.check(event.type, upcast.data, forgotten);
      return { ...event, ...upcast };
    } catch (cause) {
      throw new UndecodableEventError(event, cause);
    }
  };
}
