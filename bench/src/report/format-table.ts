/**
 * A plain-text table: columns padded to their widest cell, numbers right-aligned.
 *
 * @example
 * formatTable(['shape', 'events/s'], [['64x1', 31000]])
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((_, column) =>
    Math.max(...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly (string | number)[]) =>
    row
      .map((cell, column) => {
        const text = String(cell);
        const width = widths[column] ?? text.length;
        return typeof cell === 'number' ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
