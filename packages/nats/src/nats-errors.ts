import { UnavailableError } from '@duet/core';
import { JetStreamApiError } from '@nats-io/jetstream';

/** True for JetStream's "stream not found" / "consumer not found" answers. */
export function isNotFound(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.status === 404;
  return /not found/i.test(String((error as Error)?.message ?? error));
}

/** Any broker failure as the error runners wait out. */
export function unavailable(error: unknown, what: string): UnavailableError {
  if (error instanceof UnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UnavailableError('nats', `${what}: ${message}`, { cause: error });
}
