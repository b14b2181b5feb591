import { ValidationError } from '../errors/validation-error.ts';
import type { EventRegistry } from '../messages/event-registry.ts';
import { traceFieldsOf } from '../telemetry/trace-context.ts';
import { type AppendLimits, checkAppend } from './append-limits.ts';
import { isUuid, newEventId } from './event-id.ts';
import { type ExpectedVersion, isExpectedVersion } from './expected-version.ts';
import type { NewEvent } from './recorded-event.ts';
import { type StreamName, toStreamName } from './stream-name.ts';

/** One event of an append, checked and serialized the way every store stores it. */
export interface CheckedEvent {
  /** Lower-case UUID: the caller's, or a new v7 one. */
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** JSON text of the data as the registry returned it. */
  readonly data: string;
  /** JSON text of the metadata, `timestamp` filled in. */
  readonly metadata: string;
}

/** An append that passed every check: nothing about it can be refused for its input. */
export interface CheckedAppend {
  readonly stream: StreamName;
  readonly expected: ExpectedVersion;
  readonly events: readonly CheckedEvent[];
  /** The caller gave at least one id, so the store must look for an idempotent retry. */
  readonly idsGiven: boolean;
}

/** What the checks depend on besides the append itself. */
export interface AppendInputContext {
  readonly limits: AppendLimits;
  readonly registry: EventRegistry | undefined;
  /** ISO 8601: the `metadata.timestamp` of events that bring none. */
  readonly timestamp: string;
}

// PostgreSQL's jsonb refuses NUL and unpaired surrogates, which JSON.stringify writes as
// \u0000 and \udXXX escapes (paired surrogates it writes as characters). Every store
// refuses them, so that a unit test on the in-memory store fails where production would.
// An odd run of backslashes before the `u` makes it an escape rather than text.
const unstorableEscape = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/**
 * The one validation of an append that every event store runs before touching storage:
 * stream name, expected version, shape and count, ids, metadata (an object whose
 * `timestamp`, if given, is a string; the active trace's `traceparent` and `tracestate`
 * added where absent), the registry's schemas, size limits, and text
 * that PostgreSQL cannot store. Throws `ValidationError`, `UnknownMessageError` or
 * `LimitExceededError`; the conformance suite checks that stores refuse the same input.
 *
 * @example
 * const checked = await prepareAppendInput('order-1', events, options?.expectedVersion ?? 'any', {
 *   limits: DEFAULT_APPEND_LIMITS, registry: undefined, timestamp: new Date().toISOString(),
 * });
 */
export async function prepareAppendInput(
  stream: unknown,
  events: readonly NewEvent[],
  expectedVersion: unknown,
  context: AppendInputContext,
): Promise<CheckedAppend> {
  const name = toStreamName(stream);
  const subject = `append to ${name}`;
  if (!isExpectedVersion(expectedVersion)) {
    throw new ValidationError(subject, [
      {
        path: ['expectedVersion'],
        message: `expected 'any', 'no_stream', 'stream_exists' or a whole number >= 0, got ${String(expectedVersion)}`,
      },
    ]);
  }
  // Malformed input (not a list, empty, too many, no type) is reported before any schema
  // code sees it. The full check below serializes everything, so it runs only once on the
  // usual, well-formed append.
  if (
    !Array.isArray(events) ||
    events.length === 0 ||
    events.length > context.limits.maxEventsPerAppend ||
    events.some((event) => typeof event?.type !== 'string' || event.type.length === 0)
  ) {
    checkAppend(name, events, context.limits);
  }
  const ids = eventIds(subject, events);
  // The active trace goes with the events (a relay and the next service continue it); an
  // event that brings its own trace fields keeps them.
  const trace = traceFieldsOf();
  const stamped = await Promise.all(
    events.map(async (event, index) => {
      const metadata = event.metadata ?? {};
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        throw invalid(subject, [index, 'metadata'], 'expected an object');
      }
      if (metadata.timestamp !== undefined && typeof metadata.timestamp !== 'string') {
        throw invalid(subject, [index, 'metadata', 'timestamp'], 'expected an ISO 8601 string');
      }
      const checked = context.registry
        ? await context.registry.check(event.type, event.data)
        : { data: event.data, schemaVersion: 1 };
      return {
        type: event.type,
        data: checked.data,
        schemaVersion: checked.schemaVersion,
        metadata: { ...trace, ...metadata, timestamp: metadata.timestamp ?? context.timestamp },
      };
    }),
  );
  // Limits apply to what is stored: validated data, timestamp added.
  const json = checkAppend(name, stamped, context.limits);
  const checked = stamped.map((event, index): CheckedEvent => {
    const { data, metadata } = json[index]!;
    for (const [field, text] of [
      ['type', JSON.stringify(event.type)],
      ['data', data],
      ['metadata', metadata],
    ] as const) {
      if (unstorableEscape.test(text)) {
        throw invalid(subject, [index, field], 'contains a NUL character or an unpaired surrogate');
      }
    }
    const { type, schemaVersion } = event;
    return { id: ids[index]!, type, schemaVersion, data, metadata };
  });
  return {
    stream: name,
    expected: expectedVersion,
    events: checked,
    idsGiven: events.some((event) => event.id !== undefined),
  };
}

function eventIds(subject: string, events: readonly NewEvent[]): string[] {
  const seen = new Set<string>();
  return events.map((event, index) => {
    const id = event.id ?? newEventId();
    if (!isUuid(id)) throw invalid(subject, [index, 'id'], 'expected a UUID');
    // Lower case so that the same UUID written in capitals is still the same event.
    const canonical = id.toLowerCase();
    if (seen.has(canonical)) throw invalid(subject, [index, 'id'], 'appears twice in this append');
    seen.add(canonical);
    return canonical;
  });
}

function invalid(subject: string, path: (string | number)[], message: string): ValidationError {
  return new ValidationError(subject, [{ path, message }]);
}
