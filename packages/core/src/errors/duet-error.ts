import type { ErrorCode } from './error-code.ts';

/**
 * The base of every error Duet throws on purpose. Callers branch on `code` (stable, never
 * reworded) or on the class, never on the message.
 *
 * @example
 * try { await bus.send(command) } catch (error) {
 *   if (error instanceof DuetError && error.code === ErrorCode.CONCURRENCY) retryLater();
 * }
 */
export class DuetError extends Error {
  override readonly name: string = 'DuetError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
