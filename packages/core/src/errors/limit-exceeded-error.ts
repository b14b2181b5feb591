import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/** Something was larger than a configured limit (an event's size, an append's size). */
export class LimitExceededError extends DuetError {
  override readonly name = 'LimitExceededError';
  constructor(
    readonly limit: string,
    readonly max: number,
    readonly actual: number,
  ) {
    super(ErrorCode.LIMIT_EXCEEDED, `${limit} is ${actual}, over the limit of ${max}`);
  }
}
