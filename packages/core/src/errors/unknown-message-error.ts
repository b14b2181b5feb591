import { DuetError } from './duet-error.ts';

/** A command, query or event type that nothing is registered for. */
export class UnknownMessageError extends DuetError {
  override readonly name = 'UnknownMessageError';
  constructor(
    readonly kind: 'command' | 'query' | 'event',
    readonly type: string,
  ) {
    super(`UNKNOWN_${kind.toUpperCase()}`, `unknown ${kind} type: ${JSON.stringify(type)}`);
  }
}
