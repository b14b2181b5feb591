import type { StreamName } from '../event-store/stream-name.ts';

/** Streams one command bus has seen reach their handler's snapshot interval. */
export interface LongStreams {
  has(stream: StreamName): boolean;
  add(stream: StreamName): void;
}

/**
 * A bounded memory of long streams: past `max` names the oldest is forgotten (a forgotten
 * stream only costs one extra read of its first events the next time it is loaded).
 *
 * @example
 * const long = createLongStreams(10_000);
 * if (!long.has(stream)) long.add(stream);
 */
export function createLongStreams(max: number): LongStreams {
  const names = new Set<StreamName>();
  return {
    has: (stream) => names.has(stream),
    add(stream) {
      if (names.has(stream)) return;
      names.add(stream);
      if (names.size > max) {
        const oldest = names.values().next().value;
        if (oldest !== undefined) names.delete(oldest);
      }
    },
  };
}
