import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * A dependency a processor needs is down (the broker, a remote service): not the event's
 * fault. Runners wait and try again, however long it takes; they never narrow the batch,
 * dead-letter the event or stop the partition for it.
 *
 * @example
 * if (!connected) throw new UnavailableError('nats', 'not connected to nats://127.0.0.1:4222');
 */
export class UnavailableError extends DuetError {
  override readonly name = 'UnavailableError';
  constructor(
    /** What is unavailable (`nats`, `payments-gateway`, ...). */
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.UNAVAILABLE, `${dependency}: ${message}`, options);
  }
}
