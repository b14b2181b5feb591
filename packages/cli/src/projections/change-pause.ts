import { DuetError, ErrorCode } from '@duet/core';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/**
 * Runs a pause or resume; a projection in --config that no runner has set up yet (it has
 * no registry row to record the pause on) is exit 3 with what to do.
 */
export async function changePause<T>(name: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof DuetError && error.code === ErrorCode.UNKNOWN_PROJECTION) {
      throw new CliError(
        ExitCode.notFound,
        `no runner has set up ${name} on this database yet`,
        `a runner sets it up when it first starts: start the app, or run duet projections rebuild ${name}`,
        { cause: error },
      );
    }
    throw error;
  }
}
