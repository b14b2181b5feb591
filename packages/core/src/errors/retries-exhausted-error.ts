import type { ConcurrencyError } from './concurrency-error.ts';
import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/** The command bus retried a command on fresh state as often as allowed and lost every race. */
export class RetriesExhaustedError extends DuetError {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly commandType: string,
    readonly attempts: number,
    readonly lastError: ConcurrencyError,
  ) {
    super(
      ErrorCode.CONCURRENCY_RETRIES_EXHAUSTED,
      `${commandType} lost ${attempts} concurrency races on ${lastError.stream}; giving up`,
      { cause: lastError },
    );
  }
}
