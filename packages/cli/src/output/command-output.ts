import type { CliIo } from '../cli-io.ts';
import type { GlobalOptions } from '../options/global-options.ts';
import { createStyle, type Style } from './style.ts';
import { useColor } from './use-color.ts';

/** Where a command writes: styles for stdout (data) and stderr (notes, progress). */
export interface CommandOutput {
  readonly io: CliIo;
  readonly json: boolean;
  readonly out: Style;
  readonly err: Style;
  /** A note for people on stderr (never mixed into --json data). */
  note(text: string): void;
}

/** The output of one command run, honouring --json, --no-color, NO_COLOR and non-TTY. */
export function commandOutput(io: CliIo, options: GlobalOptions): CommandOutput {
  const err = createStyle(useColor(io.stderr, io.env, options.color));
  return {
    io,
    json: options.json,
    out: createStyle(useColor(io.stdout, io.env, options.color)),
    err,
    note: (text) => io.stderr.write(`${err.dim(text)}\n`),
  };
}
