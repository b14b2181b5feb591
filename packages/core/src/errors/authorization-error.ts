import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/** A policy refused a command or query for the actor that sent it. */
export class AuthorizationError extends DuetError {
  override readonly name = 'AuthorizationError';
  constructor(
    readonly messageType: string,
    readonly reason: string,
    readonly actor?: string,
  ) {
    super(ErrorCode.FORBIDDEN, `${messageType} refused${actor ? ` for ${actor}` : ''}: ${reason}`);
  }
}
