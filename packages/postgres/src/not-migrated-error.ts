import { DuetError, ErrorCode } from '@duet/core';

/** Duet's tables or functions are missing from the schema: `migrate` has not been run on it. */
export class NotMigratedError extends DuetError {
  override readonly name = 'NotMigratedError';
  constructor(
    readonly schema: string,
    cause: unknown,
  ) {
    super(
      ErrorCode.NOT_MIGRATED,
      `schema ${schema} has no Duet tables: run \`await migrate(executor, { schema: '${schema}' })\` first`,
      { cause },
    );
  }
}

// undefined_table, undefined_function, invalid_schema_name
const missingObjectCodes = new Set(['42P01', '42883', '3F000']);

/** Turns "relation does not exist" into a `NotMigratedError`; other errors pass through. */
export function explainMissingSchema(error: unknown, schema: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && missingObjectCodes.has(code)
    ? new NotMigratedError(schema, error)
    : error;
}
