import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * A broker stream or consumer is missing or set up differently from its definition
 * (subjects, retention, duplicate window): fix the broker or the definition.
 *
 * @example
 * catch (e) { if (e instanceof TransportConfigError) console.error(e.stream, e.message) }
 */
export class TransportConfigError extends DuetError {
  override readonly name = 'TransportConfigError';
  constructor(
    readonly stream: string,
    message: string,
  ) {
    super(ErrorCode.TRANSPORT_CONFIG, `stream ${stream}: ${message}`);
  }
}
