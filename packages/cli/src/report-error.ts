import { DuetError, ErrorCode } from '@duet/core';
import { NotMigratedError, PGliteDirectoryInUseError } from '@duet/postgres';
import { CliError } from './cli-error.ts';
import type { OutputStream } from './cli-io.ts';
import { isConnectionFailure } from './database/connection-failure.ts';
import { ExitCode } from './exit-code.ts';
import type { Style } from './output/style.ts';

/** The exit code, message and hint an error is reported with. */
export function classifyError(error: unknown): { code: ExitCode; message: string; hint?: string } {
  if (error instanceof CliError) {
    return {
      code: error.exitCode,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotMigratedError && error.set === 'processors') {
    const hint = `run: duet migrate --processors-schema ${error.schema} (or with your --config)`;
    return { code: ExitCode.notMigrated, message, hint };
  }
  if (error instanceof DuetError && error.code === ErrorCode.NOT_MIGRATED) {
    return { code: ExitCode.notMigrated, message, hint: 'run: duet migrate' };
  }
  if (error instanceof PGliteDirectoryInUseError) {
    const hint = `PGlite is one process at a time: stop process ${error.pid}, run duet, start it again (or run the app on PostgreSQL and use --database-url)`;
    return { code: ExitCode.unavailable, message, hint };
  }
  if (error instanceof DuetError && error.code === ErrorCode.UNKNOWN_PROJECTION) {
    return { code: ExitCode.notFound, message };
  }
  if (error instanceof DuetError && error.code === ErrorCode.VALIDATION) {
    return { code: ExitCode.usage, message };
  }
  if (isConnectionFailure(error)) {
    return { code: ExitCode.unavailable, message: `lost the database connection: ${message}` };
  }
  return { code: ExitCode.error, message };
}

/**
 * Writes one clear line (and a hint line) to stderr and returns the exit code. The stack
 * (and its causes) only with --verbose.
 */
export function reportError(
  error: unknown,
  stderr: OutputStream,
  style: Style,
  verbose: boolean,
): ExitCode {
  const { code, message, hint } = classifyError(error);
  stderr.write(`${style.red('error:')} ${message}\n`);
  if (hint) stderr.write(`${style.dim(`hint: ${hint}`)}\n`);
  if (verbose) {
    let current: unknown = error;
    while (current instanceof Error) {
      stderr.write(`${style.dim(current.stack ?? String(current))}\n`);
      current = current.cause;
      if (current !== undefined) stderr.write(`${style.dim('caused by:')}\n`);
    }
  }
  return code;
}
