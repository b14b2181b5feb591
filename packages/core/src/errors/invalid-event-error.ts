import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * A decider produced an event its definition rejects (bad data, or a type with no
 * definition). That is a bug in the write model, not bad input: the command bus wraps the
 * store's validation error in this, so an HTTP edge answers 500, not 400, and does not
 * show the event's fields to the caller. The original error is the `cause`.
 */
export class InvalidEventError extends DuetError {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly commandType: string,
    readonly stream: string,
    cause: unknown,
  ) {
    super(
      ErrorCode.INVALID_EVENT,
      `${commandType} produced an event that its definition rejects (stream ${stream}): ${(cause as Error).message}`,
      { cause },
    );
  }
}
