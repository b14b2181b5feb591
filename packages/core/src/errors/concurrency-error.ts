import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * An append's expected version did not match the stream: someone else wrote first.
 *
 * @example
 * catch (e) { if (e instanceof ConcurrencyError) console.log(e.stream, e.expected, e.actual) }
 */
export class ConcurrencyError extends DuetError {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly stream: string,
    /** What the caller expected: a version number or one of the named modes. */
    readonly expected: number | 'no_stream' | 'stream_exists' | 'any',
    /** The stream's version when the append was checked; 0 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(
      ErrorCode.CONCURRENCY,
      `stream ${stream}: expected version ${String(expected)}, but the stream is at ${actual}`,
    );
  }
}
