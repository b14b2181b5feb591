import { ValidationError } from '../errors/validation-error.ts';
import { type AppendLimits, checkAppend } from '../event-store/append-limits.ts';
import { isUuid, newEventId } from '../event-store/event-id.ts';
import { type ExpectedVersion, isExpectedVersion } from '../event-store/expected-version.ts';
import type { NewEvent } from '../event-store/recorded-event.ts';
import type { StreamName } from '../event-store/stream-name.ts';
import type { EventRegistry } from '../messages/event-registry.ts';

/** An event checked and ready to store: id chosen, data validated, JSON made. */
export interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
}

/**
 * Checks an append without touching storage: stream name, events, ids, expected version,
 * metadata, the registry's schemas and the size limits. Throws `ValidationError`,
 * `UnknownMessageError` or `LimitExceededError`.
 *
 * @example
 * const prepared = await prepareAppend('order-1', events, 'any', { limits, events: registry, timestamp });
 */
export async function prepareAppend(
  stream: StreamName,
  events: readonly NewEvent[],
  expectedVersion: unknown,
  config: { limits: AppendLimits; events: EventRegistry | undefined; timestamp: string },
): Promise<PreparedEvent[]> {
  // First pass: the shape of the append, before any schema code sees the data.
  checkAppend(stream, events, config.limits);
  checkExpectedVersion(stream, expectedVersion);
  const ids = eventIds(stream, events);
  const checked = await Promise.all(
    events.map(async (event, index) => {
      const metadata = event.metadata ?? {};
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        throw invalid(stream, [index, 'metadata'], 'expected an object');
      }
      if (metadata.timestamp !== undefined && typeof metadata.timestamp !== 'string') {
        throw invalid(stream, [index, 'metadata', 'timestamp'], 'expected an ISO 8601 string');
      }
      const { data, schemaVersion } = config.events
        ? await config.events.check(event.type, event.data)
        : { data: event.data, schemaVersion: 1 };
      return {
        type: event.type,
        data,
        schemaVersion,
        metadata: { ...metadata, timestamp: metadata.timestamp ?? config.timestamp },
      };
    }),
  );
  // Second pass: limits apply to what is stored (validated data, timestamp added), and
  // the JSON it returns is the stored form.
  const json = checkAppend(stream, checked, config.limits);
  return checked.map((event, index) => ({
    id: ids[index]!,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: json[index]!.data,
    metadata: json[index]!.metadata,
  }));
}

function checkExpectedVersion(
  stream: StreamName,
  expected: unknown,
): asserts expected is ExpectedVersion {
  if (!isExpectedVersion(expected)) {
    throw new ValidationError(`append to ${stream}`, [
      {
        path: ['expectedVersion'],
        message: `expected 'any', 'no_stream', 'stream_exists' or a version >= 0, got ${String(expected)}`,
      },
    ]);
  }
}

function eventIds(stream: StreamName, events: readonly NewEvent[]): string[] {
  const seen = new Set<string>();
  return events.map((event, index) => {
    const id = event.id ?? newEventId();
    if (!isUuid(id)) throw invalid(stream, [index, 'id'], 'expected a UUID');
    // Lower case so that the same UUID written in capitals is still the same event.
    const canonical = id.toLowerCase();
    if (seen.has(canonical)) throw invalid(stream, [index, 'id'], 'appears twice in this append');
    seen.add(canonical);
    return canonical;
  });
}

function invalid(stream: StreamName, path: (string | number)[], message: string): ValidationError {
  return new ValidationError(`append to ${stream}`, [{ path, message }]);
}
