import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/** A query asked to see at least a position and the read model did not reach it in time. */
export class StaleReadError extends DuetError {
  override readonly name = 'StaleReadError';
  constructor(
    readonly queryType: string,
    /** The position token the query waited for. */
    readonly minPosition: string,
    readonly waitedMs: number,
    /** Where the slowest read model behind the query stood when the wait ended. */
    readonly reached?: string,
  ) {
    super(
      ErrorCode.STALE_READ,
      `${queryType}: read model did not reach position ${minPosition} within ${waitedMs} ms`,
    );
  }
}
