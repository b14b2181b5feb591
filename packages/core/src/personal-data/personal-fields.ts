import { ValidationError } from '../errors/validation-error.ts';

/** What a forgotten personal field reads as when its definition declares no replacement. */
export const FORGOTTEN = '[forgotten]';

/**
 * Which fields of a message hold personal data, and whose they are. The fields are sealed
 * (AES-256-GCM with the subject's key) when stored or published, and read as their
 * `forgotten` replacement once the subject is forgotten.
 *
 * @example
 * defineEvent('CustomerRenamed', schema, {
 *   personal: { subject: (data) => `customer-${data.customerId}`, fields: ['name'] },
 * });
 */
export interface PersonalFields<Data = unknown> {
  /** The data subject the fields belong to (a customer id, say): 1 to 200 characters. */
  readonly subject: (data: Data) => string;
  /** Top-level fields holding personal data (absent or undefined ones are left alone). */
  readonly fields: readonly (keyof Data & string)[];
  /**
   * Fields of another subject than `subject` (a gift's recipient beside its buyer): each
   * sealed with its own subject's key, so forgetting one leaves the other readable.
   */
  readonly subjects?: { readonly [K in keyof Data]?: (data: Data) => string };
  /**
   * What each field reads as once its subject is forgotten (default `FORGOTTEN`, the
   * string '[forgotten]'). Give a value the schema accepts where a string does not fit (an
   * address object, say); the schema checks on read skip forgotten fields either way.
   */
  readonly forgotten?: { readonly [K in keyof Data]?: Data[K] };
}

/** `PersonalFields` as a definition keeps it: checked, with the data type erased. */
export interface PersonalFieldsDefinition {
  readonly subject: (data: unknown) => string;
  readonly fields: readonly string[];
  /** Per-field subjects, where a field belongs to someone else than `subject`. */
  readonly subjects: Readonly<Record<string, (data: unknown) => string>>;
  readonly forgotten: Readonly<Record<string, unknown>>;
}

/** Checks a definition's `personal` option; throws `TypeError` naming the owner (a bug in code, not input). */
export function resolvePersonalFields(
  owner: string,
  personal: PersonalFields<never> | undefined,
): PersonalFieldsDefinition | undefined {
  if (personal === undefined) return undefined;
  if (typeof personal?.subject !== 'function') {
    throw new TypeError(`${owner}: personal.subject must be a function of the data`);
  }
  const fields: readonly unknown[] = Array.isArray(personal.fields) ? personal.fields : [];
  if (fields.length === 0 || fields.some((field) => typeof field !== 'string' || field === '')) {
    throw new TypeError(`${owner}: personal.fields must list one or more field names`);
  }
  const subjects: Record<string, (data: unknown) => string> = {};
  for (const [field, fn] of Object.entries(personal.subjects ?? {})) {
    if (!(fields as string[]).includes(field) || typeof fn !== 'function') {
      throw new TypeError(
        `${owner}: personal.subjects.${field} must be a function, for a listed field`,
      );
    }
    subjects[field] = fn as (data: unknown) => string;
  }
  const forgotten: Record<string, unknown> = {};
  for (const field of fields as string[]) {
    forgotten[field] =
      (personal.forgotten as Record<string, unknown> | undefined)?.[field] ?? FORGOTTEN;
  }
  return {
    subject: personal.subject as (data: unknown) => string,
    fields: fields as string[],
    subjects,
    forgotten,
  };
}

/**
 * The subject of a message's field (its own, or the message's), checked; `ValidationError`
 * when the function throws or returns no usable id.
 */
export function subjectOf(
  personal: PersonalFieldsDefinition,
  data: unknown,
  what: string,
  field?: string,
): string {
  let subject: unknown;
  try {
    subject = ((field === undefined ? undefined : personal.subjects[field]) ?? personal.subject)(
      data,
    );
  } catch (cause) {
    throw new ValidationError(what, [
      { path: [], message: `personal.subject threw: ${String(cause)}` },
    ]);
  }
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) {
    throw new ValidationError(what, [
      {
        path: [],
        message: `personal.subject must give 1 to 200 characters, got ${JSON.stringify(subject)}`,
      },
    ]);
  }
  return subject;
}
