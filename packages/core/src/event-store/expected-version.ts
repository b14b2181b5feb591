/**
 * What an append expects of its stream:
 * - `'any'`: no check (the default);
 * - `'no_stream'`: the stream must not exist yet (same as the number 0);
 * - `'stream_exists'`: the stream must have at least one event;
 * - a number n >= 1: the stream's last event must have version n.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number;

/**
 * Whether a stream now at `actual` (0 = no stream) satisfies `expected`.
 *
 * @example
 * matchesExpectedVersion('no_stream', 0) // true
 */
export function matchesExpectedVersion(expected: ExpectedVersion, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 0;
    case 'stream_exists':
      return actual > 0;
    default:
      return actual === expected;
  }
}

/** True when `value` is a valid expected version (for checks at the edges). */
export function isExpectedVersion(value: unknown): value is ExpectedVersion {
  return (
    value === 'any' ||
    value === 'no_stream' ||
    value === 'stream_exists' ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
  );
}
