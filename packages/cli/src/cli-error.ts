import type { ExitCode } from './exit-code.ts';

/**
 * An error the CLI reports as one line and exits with `exitCode`; `hint` is a second line
 * saying what to do about it.
 *
 * @example
 * throw new CliError(ExitCode.notFound, 'stream order-1 has no events');
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
