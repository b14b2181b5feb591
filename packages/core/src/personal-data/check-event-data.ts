import { ValidationError } from '../errors/validation-error.ts';
import type { EventDefinition } from '../messages/define-event.ts';
import { validate } from '../messages/schema.ts';
import { isSealedField } from './personal-data-envelope.ts';

/**
 * Checks an event's data against its definition's schema, except the personal fields
 * that are sealed or forgotten: a sealed field is ciphertext the store cannot read, and a
 * forgotten one holds a replacement the schema may not accept (integration contracts
 * with personal fields are checked the same way). Neither makes an event
 * invalid, so neither sends it to a dead letter. Returns the schema's output when
 * everything passes, else the data as given; throws `ValidationError` for other paths.
 *
 * @example
 * const data = await checkEventData(CustomerRenamed, stored.data, 'event CustomerRenamed', ['name']);
 */
export async function checkEventData(
  definition: Pick<EventDefinition, 'schema' | 'personal'>,
  data: unknown,
  subject: string,
  forgotten: readonly string[] = [],
): Promise<unknown> {
  try {
    return await validate(definition.schema, data, subject);
  } catch (error) {
    const personal = definition.personal;
    if (!(error instanceof ValidationError) || !personal) throw error;
    const record = (typeof data === 'object' && data !== null ? data : {}) as Record<
      string,
      unknown
    >;
    const exempt = new Set(
      personal.fields.filter((field) => isSealedField(record[field]) || forgotten.includes(field)),
    );
    const left = error.issues.filter((issue) => !exempt.has(String(issue.path[0])));
    if (left.length > 0) throw new ValidationError(subject, left);
    return data;
  }
}

/** The personal fields a read found forgotten (`metadata.forgottenPersonalData`), or none. */
export function forgottenFieldsOf(metadata: Readonly<Record<string, unknown>>): readonly string[] {
  const fields = metadata.forgottenPersonalData;
  return Array.isArray(fields) ? fields.filter((field) => typeof field === 'string') : [];
}
