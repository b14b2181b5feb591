import { UnknownMessageError } from '../errors/unknown-message-error.ts';
import { checkEventData } from '../personal-data/check-event-data.ts';
import type { EventDefinition } from './define-event.ts';

/**
 * The event definitions a store knows. Stores use it to check data on append (and stamp
 * the schema version) and to upcast old versions on read.
 *
 * @example
 * const events = createEventRegistry([ItemAdded, OrderPlaced]);
 * const store = createInMemoryEventStore({ events });
 */
export interface EventRegistry {
  /** The definition for a type, or undefined. */
  get(type: string): EventDefinition | undefined;
  /**
   * Validates an event's data against its definition and returns the data to store with
   * the schema version. Throws `ValidationError` (bad data) or `UnknownMessageError`
   * (an unregistered type, when the registry is `strict`). Personal fields that are sealed,
   * or named in `forgotten`, are not checked (see `checkEventData`).
   */
  check(
    type: string,
    data: unknown,
    forgotten?: readonly string[],
  ): Promise<{ data: unknown; schemaVersion: number }>;
  /** Brings data stored at `schemaVersion` up to the current version of its definition. */
  upcast(
    type: string,
    data: unknown,
    schemaVersion: number,
  ): { data: unknown; schemaVersion: number };
}

export interface EventRegistryOptions {
  /** Reject appends of types that have no definition (default true). */
  strict?: boolean;
}

export function createEventRegistry(
  // Data `unknown`, not `never`: a schema's output is covariant, so only this accepts them all.
  definitions: readonly EventDefinition[],
  options: EventRegistryOptions = {},
): EventRegistry {
  const strict = options.strict ?? true;
  const byType = new Map<string, EventDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) {
      throw new TypeError(`event type ${definition.type} is defined twice`);
    }
    byType.set(definition.type, definition);
  }
  return {
    get: (type) => byType.get(type),
    async check(type, data, forgotten) {
      const definition = byType.get(type);
      if (!definition) {
        if (strict) throw new UnknownMessageError('event', type);
        return { data, schemaVersion: 1 };
      }
      return {
        data: await checkEventData(definition, data, `event ${type}`, forgotten),
        schemaVersion: definition.version,
      };
    },
    upcast(type, data, schemaVersion) {
      const definition = byType.get(type);
      if (!definition || schemaVersion >= definition.version) return { data, schemaVersion };
      let current = data;
      for (let version = schemaVersion; version < definition.version; version++) {
        current = definition.upcasters[version]!(current);
      }
      return { data: current, schemaVersion: definition.version };
    },
  };
}
