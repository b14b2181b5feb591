import { ValidationError } from '@duet/core';

/** The schema Duet's tables live in when no `schema` option is given. */
export const DEFAULT_SCHEMA = 'duet';

// Lower case only: PostgreSQL folds unquoted names and PGlite's LISTEN folds channel
// names, so a mixed-case schema would listen on a different channel than it notifies.
const identifier = /^[a-z_][a-z0-9_]{0,39}$/;

/**
 * Checks a `schema` option: a lower-case SQL identifier of at most 40 characters, not a
 * system schema. Returns it; throws `ValidationError` naming the option otherwise.
 */
export function checkSchemaName(schema: unknown, option = 'schema'): string {
  if (typeof schema !== 'string' || !identifier.test(schema) || schema.startsWith('pg_')) {
    throw new ValidationError(`option ${option}`, [
      {
        path: [option],
        message:
          'expected a lower-case identifier (a-z, 0-9, _; at most 40 characters, not pg_*), got ' +
          JSON.stringify(schema),
      },
    ]);
  }
  return schema;
}

/** The schema as a quoted SQL identifier, safe to splice into a statement once checked. */
export function quoteSchema(schema: string): string {
  return `"${checkSchemaName(schema)}"`;
}

/** The NOTIFY channel an event store's appends wake subscribers on. */
export function eventsChannel(schema: string): string {
  return `${schema}_events`;
}
