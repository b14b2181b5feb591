import { randomBytes } from 'node:crypto';
import { PersonalDataForgottenError } from '../errors/personal-data-forgotten-error.ts';
import { checkSubject } from './check-subject.ts';
import type { PersonalDataKeys } from './personal-data-keys.ts';

/**
 * Personal data keys in one process's memory, for unit tests and examples; it passes the
 * same conformance suite as the PostgreSQL key table. Nothing survives the process.
 *
 * @example
 * const keys = createInMemoryPersonalDataKeys();
 * const store = withPersonalData(createInMemoryEventStore({ events }), { keys, events });
 */
export function createInMemoryPersonalDataKeys(
  options: { readonly now?: () => Date } = {},
): PersonalDataKeys {
  const now = options.now ?? (() => new Date());
  const keys = new Map<string, Uint8Array>();
  const tombstones = new Map<string, string>();
  return {
    async keyFor(subject) {
      checkSubject(subject);
      if (tombstones.has(subject)) throw new PersonalDataForgottenError(subject);
      let key = keys.get(subject);
      if (!key) {
        key = new Uint8Array(randomBytes(32));
        keys.set(subject, key);
      }
      return key;
    },
    async findKeys(subjects) {
      const found = new Map<string, Uint8Array>();
      for (const subject of subjects) {
        const key = keys.get(subject);
        if (key) found.set(subject, key);
      }
      return found;
    },
    async forget(subject) {
      checkSubject(subject);
      const deleted = keys.delete(subject);
      const forgottenAt = tombstones.get(subject) ?? now().toISOString();
      tombstones.set(subject, forgottenAt);
      return { subject, deleted, forgottenAt };
    },
    async forgottenAt(subject) {
      return tombstones.get(subject) ?? null;
    },
  };
}
