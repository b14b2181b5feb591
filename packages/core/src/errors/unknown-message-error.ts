import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

const codes = {
  command: ErrorCode.UNKNOWN_COMMAND,
  query: ErrorCode.UNKNOWN_QUERY,
  event: ErrorCode.UNKNOWN_EVENT,
} as const;

/** A command, query or event type that nothing is registered for. */
export class UnknownMessageError extends DuetError {
  override readonly name = 'UnknownMessageError';
  constructor(
    readonly kind: 'command' | 'query' | 'event',
    readonly type: string,
  ) {
    super(codes[kind], `unknown ${kind} type: ${JSON.stringify(type)}`);
  }
}
