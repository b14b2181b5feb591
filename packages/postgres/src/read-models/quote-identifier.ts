/**
 * Quotes an SQL identifier (table, schema, column) so it can be spliced into a statement:
 * wraps it in double quotes and doubles any inside.
 *
 * @example
 * quoteIdentifier('order_history_v2__orders') // '"order_history_v2__orders"'
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
