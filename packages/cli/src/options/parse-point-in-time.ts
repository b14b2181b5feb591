import type { PointInTime } from '@duet/core';
import { InvalidArgumentError } from 'commander';

/**
 * A commander parser for `--at`: a stream version (`3`) or an ISO 8601 time
 * (`2026-11-26T10:00:00Z`, `2026-11-26`).
 */
export function parsePointInTime(value: string): PointInTime {
  if (/^\d+$/.test(value)) {
    const version = Number(value);
    if (Number.isSafeInteger(version)) return { version };
  }
  // A date needs at least YYYY-MM-DD: Date.parse also takes '1' or 'May 3'.
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) {
    return { timestamp: new Date(value).toISOString() };
  }
  throw new InvalidArgumentError(
    'expected a stream version (3) or an ISO time (2026-11-26T10:00:00Z).',
  );
}
