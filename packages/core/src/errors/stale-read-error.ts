import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * A query asked to see at least a position (or a list of read-your-writes tokens) and the
 * read model did not reach it in time.
 *
 * @example
 * throw new StaleReadError('OrderHistory', START_POSITION, 2_000, undefined, ['orders@order-1:3']);
 */
export class StaleReadError extends DuetError {
  override readonly name = 'StaleReadError';
  /** The tokens not reached yet, when the query waited for tokens (absent otherwise). */
  readonly tokens?: readonly string[];
  constructor(
    readonly queryType: string,
    /** The position token the query waited for. */
    readonly minPosition: string,
    readonly waitedMs: number,
    /** Where the slowest read model behind the query stood when the wait ended. */
    readonly reached?: string,
    tokens?: readonly string[],
  ) {
    const what =
      tokens && tokens.length > 0 ? `tokens ${tokens.join(', ')}` : `position ${minPosition}`;
    super(
      ErrorCode.STALE_READ,
      `${queryType}: read model did not reach ${what} within ${waitedMs} ms`,
    );
    if (tokens && tokens.length > 0) this.tokens = [...tokens];
  }
}
