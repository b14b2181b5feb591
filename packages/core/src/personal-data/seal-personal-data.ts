import { PersonalDataForgottenError } from '../errors/personal-data-forgotten-error.ts';
import { newEventId } from '../event-store/event-id.ts';
import type { NewEvent } from '../event-store/recorded-event.ts';
import type { EventRegistry } from '../messages/event-registry.ts';
import { validate } from '../messages/schema.ts';
import { sealField } from './personal-data-envelope.ts';
import type { PersonalDataKeys } from './personal-data-keys.ts';
import { type PersonalFieldsDefinition, subjectOf } from './personal-fields.ts';

/**
 * Replaces each personal field of `data` by its sealed value, encrypted with its subject's
 * key (one look-up per subject) and bound to `id` and the field name. A forgotten subject
 * throws `PersonalDataForgottenError` (nothing is written for it again), or, with
 * `forgotten: 'replace'`, gets its fields' replacements (for publishing what was read).
 *
 * @example
 * const sealed = await sealData(CustomerRenamed.personal!, data, eventId, keys, 'event CustomerRenamed');
 */
export async function sealData(
  personal: PersonalFieldsDefinition,
  data: unknown,
  id: string,
  keys: PersonalDataKeys,
  what: string,
  options: { readonly forgotten?: 'throw' | 'replace' } = {},
): Promise<unknown> {
  if (typeof data !== 'object' || data === null) return data;
  const record = data as Record<string, unknown>;
  const present = personal.fields.filter((field) => record[field] !== undefined);
  if (present.length === 0) return data;
  const sealed: Record<string, unknown> = { ...record };
  const keyOf = new Map<string, Promise<Uint8Array | null>>();
  for (const field of present) {
    const subject = subjectOf(personal, data, what, field);
    if (!keyOf.has(subject)) {
      keyOf.set(
        subject,
        keys.keyFor(subject).catch((error: unknown) => {
          if (options.forgotten === 'replace' && error instanceof PersonalDataForgottenError) {
            return null;
          }
          throw error;
        }),
      );
    }
    const key = await keyOf.get(subject)!;
    sealed[field] = key
      ? sealField(key, subject, { id, field }, record[field])
      : personal.forgotten[field];
  }
  return sealed;
}

/** What `withPersonalData` and the stores' `personalData` option take. */
export interface PersonalDataOptions {
  /** The owning service's key table. */
  readonly keys: PersonalDataKeys;
  /** The event definitions: those with `personal` fields are sealed. */
  readonly events: EventRegistry;
}

/**
 * Checks each event whose definition has personal fields against its schema (plain
 * text, so a bad value fails as it would without encryption), then seals those fields.
 * Events get their id here when they bring none: the sealed values are bound to it.
 * Throws `ValidationError` or `PersonalDataForgottenError`; other events pass unchanged.
 */
export async function sealPersonalEvents(
  events: readonly NewEvent[],
  options: PersonalDataOptions,
): Promise<NewEvent[]> {
  // Malformed input is left for the store's own checks, which name what is wrong.
  if (!Array.isArray(events)) return events as NewEvent[];
  return Promise.all(
    events.map(async (event) => {
      const personal =
        typeof event?.type === 'string' ? options.events.get(event.type)?.personal : undefined;
      if (!personal) return event;
      const definition = options.events.get(event.type)!;
      const what = `event ${event.type}`;
      const checked = await validate(definition.schema, event.data, what);
      const id = typeof event.id === 'string' ? event.id : newEventId();
      return { ...event, id, data: await sealData(personal, checked, id, options.keys, what) };
    }),
  );
}
