import { ValidationError } from '../errors/validation-error.ts';

/** Longest data subject id accepted (the key table's primary key stays small). */
export const MAX_SUBJECT_LENGTH = 200;

/** Throws `ValidationError` unless `subject` is a non-empty string of at most 200 characters. */
export function checkSubject(subject: unknown, what = 'personal data subject'): string {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    throw new ValidationError(what, [
      {
        path: ['subject'],
        message: `expected a string of 1 to ${MAX_SUBJECT_LENGTH} characters, got ${JSON.stringify(subject)}`,
      },
    ]);
  }
  return subject;
}
