/** ANSI styles that are plain text when colour is off. */
export interface Style {
  readonly color: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) =>
  `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

/**
 * Styles for one output stream.
 *
 * @example
 * const style = createStyle(useColor(io.stderr, io.env, true));
 * io.stderr.write(`${style.red('error')}: ...`);
 */
export function createStyle(color: boolean): Style {
  return color
    ? {
        color,
        bold: wrap(1, 22),
        dim: wrap(2, 22),
        red: wrap(31, 39),
        yellow: wrap(33, 39),
        green: wrap(32, 39),
        cyan: wrap(36, 39),
      }
    : { color, bold: plain, dim: plain, red: plain, yellow: plain, green: plain, cyan: plain };
}
