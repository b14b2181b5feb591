import { DuetError, ErrorCode } from '@duet/core';

/**
 * Duet's tables or functions are missing from the schema, or are behind: `migrate` has
 * not been run on it (for the processor runner's tables: with `set: 'processors'`). The
 * message says what to run.
 *
 * @example
 * if (error instanceof NotMigratedError) console.error(error.message); // run `await migrate(...)`
 */
export class NotMigratedError extends DuetError {
  override readonly name = 'NotMigratedError';
  constructor(
    readonly schema: string,
    cause: unknown,
    /** Which tables are missing: the store's, or the processor runner's. */
    readonly set: 'store' | 'processors' | 'personal-data' = 'store',
    /** Migrations not applied yet, when the schema is only behind. */
    readonly pending: readonly string[] = [],
  ) {
    const what = {
      store: 'Duet tables',
      processors: "Duet's processor tables",
      'personal-data': "Duet's personal data key table",
    }[set];
    const state =
      pending.length > 0 ? `is behind (${pending.join(', ')} not applied)` : `has no ${what}`;
    const call = {
      store: `await migrate(executor, { schema: '${schema}' })`,
      processors: `await migrate(readModels, { schema: '${schema}', set: 'processors' })`,
      'personal-data': `await migrate(executor, { schema: '${schema}', set: 'personal-data' })`,
    }[set];
    const cli = {
      store: `duet migrate --schema ${schema}`,
      processors: `duet migrate --processors-schema ${schema}`,
      'personal-data': `duet migrate --personal-data-schema ${schema}`,
    }[set];
    super(
      ErrorCode.NOT_MIGRATED,
      `schema ${schema} ${state}: run \`${call}\` (or \`${cli}\`) first`,
      {
        cause,
      },
    );
  }
}

// undefined_table, undefined_function, invalid_schema_name
const missingObjectCodes = new Set(['42P01', '42883', '3F000']);

/** Turns "relation does not exist" into a `NotMigratedError`; other errors pass through. */
export function explainMissingSchema(
  error: unknown,
  schema: string,
  set: 'store' | 'processors' | 'personal-data' = 'store',
): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && missingObjectCodes.has(code)
    ? new NotMigratedError(schema, error, set)
    : error;
}
