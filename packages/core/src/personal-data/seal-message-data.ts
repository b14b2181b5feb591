import { PersonalDataForgottenError } from '../errors/personal-data-forgotten-error.ts';
import type { PersonalDataKeys } from './personal-data-keys.ts';
import type { PersonalFieldsDefinition } from './personal-fields.ts';
import { sealData } from './seal-personal-data.ts';

/**
 * Seals a published message's personal fields for the broker. A subject forgotten by now
 * gets its fields' replacements instead: the plain text read before the forget must not
 * go out after it.
 *
 * @example
 * const data = await sealMessageData(contract.personal, checked, event.id, keys, 'integration event customers.CustomerRenamed');
 */
export async function sealMessageData(
  personal: PersonalFieldsDefinition,
  data: unknown,
  id: string,
  keys: PersonalDataKeys,
  what: string,
): Promise<unknown> {
  try {
    return await sealData(personal, data, id, keys, what);
  } catch (error) {
    if (!(error instanceof PersonalDataForgottenError)) throw error;
    const replaced: Record<string, unknown> = { ...(data as Record<string, unknown>) };
    for (const field of personal.fields) {
      if (replaced[field] !== undefined) replaced[field] = personal.forgotten[field];
    }
    return replaced;
  }
}
