import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * What was asked for does not exist, or the asker may not know that it does: the same
 * error for both, so a response never tells one from the other.
 *
 * @example
 * if (state.customerId !== context.actor) throw new NotFoundError('order', orderId);
 */
export class NotFoundError extends DuetError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(ErrorCode.NOT_FOUND, `${resource} ${id} not found`);
  }
}
