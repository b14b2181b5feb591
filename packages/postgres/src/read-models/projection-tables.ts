import { type ProjectionTables, ValidationError } from '@duet/core';
import { quoteIdentifier } from './quote-identifier.ts';

// PostgreSQL cuts identifiers at 63 bytes: a longer one would silently alias another.
const maxIdentifier = 63;
const tableName = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** The prefix of every table of one projection version: `<name>_v<version>__`. */
export function tablePrefix(name: string, version: number): string {
  return `${name}_v${version}__`;
}

/**
 * The table namer a projection version's `setup`, `apply` and queries use. Each version
 * gets its own tables, so a new version builds beside the one that serves.
 *
 * @example
 * const tables = projectionTables('read_models', 'order_history', 2);
 * tables.name('orders') // '"read_models"."order_history_v2__orders"'
 */
export function projectionTables(schema: string, name: string, version: number): ProjectionTables {
  const prefix = tablePrefix(name, version);
  const quotedSchema = quoteIdentifier(schema);
  return {
    schema,
    prefix,
    name(table: string): string {
      const full = `${prefix}${table}`;
      if (typeof table !== 'string' || !tableName.test(table) || full.length > maxIdentifier) {
        throw new ValidationError(`projection ${name} table name`, [
          {
            path: [],
            message: `expected lower case letters, digits and single underscores, at most ${maxIdentifier - prefix.length} characters, got ${JSON.stringify(table)}`,
          },
        ]);
      }
      return `${quotedSchema}.${quoteIdentifier(full)}`;
    },
  };
}
