import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * An event id already stored with a different stream, type or payload. (The same id with
 * the same payload is an idempotent retry and returns the original result instead.)
 */
export class DuplicateEventError extends DuetError {
  override readonly name = 'DuplicateEventError';
  constructor(
    readonly eventId: string,
    readonly stream: string,
  ) {
    super(
      ErrorCode.DUPLICATE_EVENT,
      `event ${eventId} is already stored with other content (appending to ${stream})`,
    );
  }
}
