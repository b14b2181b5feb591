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
export function sealMessageData(
  personal: PersonalFieldsDefinition,
  data: unknown,
  id: string,
  keys: PersonalDataKeys,
  what: string,
): Promise<unknown> {
  return sealData(personal, data, id, keys, what, { forgotten: 'replace' });
}
