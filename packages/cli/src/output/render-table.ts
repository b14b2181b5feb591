import Table from 'cli-table3';
import type { Style } from './style.ts';

/**
 * A table for people (cli-table3), ending with a newline. Without colour it has no escape
 * codes at all, so it reads the same in a pipe or a log file.
 *
 * @example
 * io.stdout.write(renderTable(['stream', 'version'], [['order-1', '3']], style));
 */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  style: Style,
): string {
  const table = new Table({
    head: head.map((title) => title.toUpperCase()),
    // No rule between rows: long listings stay readable.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: style.color ? ['bold'] : [], border: style.color ? ['grey'] : [] },
  });
  for (const row of rows) table.push([...row]);
  return `${table.toString()}\n`;
}
