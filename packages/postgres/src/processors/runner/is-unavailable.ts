import { UnavailableError } from '@duet/core';

/**
 * True for an `UnavailableError` (a dependency is down, not the event's fault). Checked by
 * code too: a sink may throw one from another copy of @duet/core.
 */
export function isUnavailable(error: unknown): boolean {
  return (
    error instanceof UnavailableError ||
    (error as { code?: unknown } | null)?.code === 'UNAVAILABLE'
  );
}
