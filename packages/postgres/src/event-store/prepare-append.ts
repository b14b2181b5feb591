import {
  type AppendLimits,
  type AppendOptions,
  categoryOf,
  type EventRegistry,
  type ExpectedVersion,
  type NewEvent,
  newEventId,
  ValidationError,
} from '@duet/core';
import { checkAppend, isExpectedVersion, isUuid } from '@duet/core/adapters';

/** An append checked and serialized, ready to join a batch of `append_events`. */
export interface PreparedAppend {
  readonly stream: string;
  /** As the caller gave it, for the `ConcurrencyError`. */
  readonly expected: ExpectedVersion;
  /** The batch item as JSON text (see 002-append-events.sql.ts). */
  readonly json: string;
}

export interface PrepareContext {
  readonly registry: EventRegistry | undefined;
  readonly limits: AppendLimits;
  readonly now: () => Date;
}

// jsonb refuses NUL and unpaired surrogates, which JSON.stringify writes as \u0000 and
// \udXXX escapes (paired surrogates it writes as characters). An odd run of backslashes
// before the `u` makes it an escape rather than text.
const unstorableEscape = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/**
 * Checks one append (shape, expected version, ids, schema, limits) and serializes it.
 * Throws `ValidationError`, `UnknownMessageError` or `LimitExceededError`; nothing is sent.
 */
export async function prepareAppend(
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions | undefined,
  context: PrepareContext,
): Promise<PreparedAppend> {
  const subject = `append to ${String(stream)}`;
  const expected = options?.expectedVersion ?? 'any';
  if (!isExpectedVersion(expected)) {
    throw new ValidationError(subject, [
      {
        path: ['expectedVersion'],
        message: "expected 'any', 'no_stream', 'stream_exists' or a whole number >= 0",
      },
    ]);
  }
  // Let core report malformed input (stream name, empty, too many, missing type) before
  // the registry sees it.
  if (
    !Array.isArray(events) ||
    events.length === 0 ||
    events.length > context.limits.maxEventsPerAppend ||
    events.some((event) => typeof event?.type !== 'string' || event.type.length === 0) ||
    typeof stream !== 'string'
  ) {
    checkAppend(stream, events, context.limits);
  }
  const at = context.now().toISOString();
  const seen = new Set<string>();
  let checkIds = false;
  const stamped = await Promise.all(
    events.map(async (event, index) => {
      if (event.id !== undefined) {
        if (!isUuid(event.id)) {
          throw new ValidationError(subject, [{ path: [index, 'id'], message: 'expected a UUID' }]);
        }
        checkIds = true;
      }
      const id = (event.id ?? newEventId()).toLowerCase();
      if (seen.has(id)) {
        throw new ValidationError(subject, [
          { path: [index, 'id'], message: 'the same id appears twice in one append' },
        ]);
      }
      seen.add(id);
      const metadata = event.metadata ?? {};
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        throw new ValidationError(subject, [
          { path: [index, 'metadata'], message: 'expected an object' },
        ]);
      }
      const checked = context.registry
        ? await context.registry.check(event.type, event.data)
        : { data: event.data, schemaVersion: 1 };
      return {
        id,
        type: event.type,
        data: checked.data,
        schemaVersion: checked.schemaVersion,
        metadata: { ...metadata, timestamp: metadata.timestamp ?? at },
      };
    }),
  );
  const serialized = checkAppend(stream, stamped, context.limits);
  const items = stamped.map((event, index) => {
    const { data, metadata } = serialized[index]!;
    for (const [field, json] of [
      ['data', data],
      ['metadata', metadata],
    ] as const) {
      if (unstorableEscape.test(json)) {
        throw new ValidationError(subject, [
          { path: [index, field], message: 'contains a NUL character or an unpaired surrogate' },
        ]);
      }
    }
    return `{"id":"${event.id}","type":${JSON.stringify(event.type)},"schemaVersion":${event.schemaVersion},"data":${data},"metadata":${metadata}}`;
  });
  const json = `{"stream":${JSON.stringify(stream)},"category":${JSON.stringify(categoryOf(stream))},"expected":"${expected === 0 ? 'no_stream' : String(expected)}","at":"${at}","checkIds":${checkIds},"events":[${items.join(',')}]}`;
  if (unstorableEscape.test(json)) {
    throw new ValidationError(subject, [
      { path: [], message: 'stream or type contains a NUL character or an unpaired surrogate' },
    ]);
  }
  return { stream, expected, json };
}
