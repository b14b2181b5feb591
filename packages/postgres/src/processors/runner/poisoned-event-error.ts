import type { Position, RecordedEvent } from '@duet/core';

/** `apply` keeps failing on this one event after retries: the failure policy decides. */
export class PoisonedEventError extends Error {
  override readonly name = 'PoisonedEventError';
  constructor(
    readonly event: RecordedEvent,
    override readonly cause: unknown,
    /** The checkpoint it stopped at: every event before the poisoned one is applied. */
    readonly at: Position,
  ) {
    super(`event ${event.id} (${event.type} in ${event.stream}): ${messageOf(cause)}`);
  }
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
