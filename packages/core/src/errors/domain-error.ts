import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * A business rule said no (`decide` throws it). Subclass it or pass a code of your own.
 *
 * @example
 * if (state.status !== 'open') throw new DomainError('ORDER_NOT_OPEN', 'the order is already placed');
 */
export class DomainError extends DuetError {
  override readonly name: string = 'DomainError';
  constructor(
    /** The rule that was broken, stable like every code: `ORDER_NOT_OPEN`. */
    readonly rule: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(ErrorCode.DOMAIN_RULE, message);
  }
}
