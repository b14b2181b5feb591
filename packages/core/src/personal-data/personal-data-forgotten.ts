import type { StandardSchemaV1 } from '@standard-schema/spec';
import { defineEvent, type EventOf } from '../messages/define-event.ts';

/** The erasure as recorded: who forgot which subject, when. No personal data. */
export interface PersonalDataForgottenData {
  /** The data subject forgotten (an id such as `customer-7`, never a name). */
  readonly subject: string;
  /** When the key was deleted (ISO 8601). */
  readonly forgottenAt: string;
  /** Who asked (the staff member, or `cli`). */
  readonly by: string;
}

const issue = (message: string, key: string): StandardSchemaV1.Issue => ({ message, path: [key] });

// Hand-written Standard Schema: core depends on no schema library.
const schema: StandardSchemaV1<unknown, PersonalDataForgottenData> = {
  '~standard': {
    version: 1,
    vendor: 'duet',
    validate(value) {
      if (typeof value !== 'object' || value === null) {
        return { issues: [{ message: 'expected an object' }] };
      }
      const record = value as Record<string, unknown>;
      const issues = (['subject', 'forgottenAt', 'by'] as const)
        .filter((key) => typeof record[key] !== 'string' || record[key] === '')
        .map((key) => issue('expected a non-empty string', key));
      if (issues.length > 0) return { issues };
      const { subject, forgottenAt, by } = record as unknown as PersonalDataForgottenData;
      return { value: { subject, forgottenAt, by } };
    },
  },
};

/**
 * The event a forget appends, in the same transaction that deletes the key: the erasure
 * is itself recorded, and carries only the subject's id. Register it with the service's
 * other events.
 *
 * @example
 * const events = createEventRegistry([...customerServiceEvents, PersonalDataForgotten]);
 */
export const PersonalDataForgotten = defineEvent('PersonalDataForgotten', schema, {
  jsonSchema: {
    type: 'object',
    properties: {
      subject: { type: 'string' },
      forgottenAt: { type: 'string', format: 'date-time' },
      by: { type: 'string' },
    },
    required: ['subject', 'forgottenAt', 'by'],
  },
});
export type PersonalDataForgotten = EventOf<typeof PersonalDataForgotten>;

/** The stream erasures of a subject are recorded on: `personal_data-<subject>`. */
export const personalDataStream = (subject: string) => `personal_data-${subject}`;
