import type { OutputStream } from '../cli-io.ts';

/**
 * Whether to colour what goes to `stream`: never with `--no-color` or a non-empty NO_COLOR
 * (https://no-color.org), always with a non-empty FORCE_COLOR other than 0, else only on a
 * terminal (never into a pipe or file).
 */
export function useColor(
  stream: OutputStream,
  env: Readonly<Record<string, string | undefined>>,
  flag: boolean,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') {
    return true;
  }
  return stream.isTTY === true;
}
