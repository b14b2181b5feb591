import { LimitExceededError } from '../errors/limit-exceeded-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { NewEvent } from './recorded-event.ts';
import { toStreamName } from './stream-name.ts';

/** Size limits every store enforces on append, in bytes of JSON (data plus metadata). */
export interface AppendLimits {
  /** Largest single event (default 1 MiB). */
  readonly maxEventBytes: number;
  /** Largest append, all events together (default 16 MiB). */
  readonly maxAppendBytes: number;
  /** Most events in one append (default 10,000). */
  readonly maxEventsPerAppend: number;
}

export const DEFAULT_APPEND_LIMITS: AppendLimits = {
  maxEventBytes: 1024 * 1024,
  maxAppendBytes: 16 * 1024 * 1024,
  maxEventsPerAppend: 10_000,
};

/**
 * Checks an append before it reaches storage: not empty, well-formed, within limits.
 * Returns each event's data and metadata serialized as JSON, which stores reuse.
 * Throws `ValidationError` or `LimitExceededError`; nothing is stored either way.
 */
export function checkAppend(
  stream: string,
  events: readonly NewEvent[],
  limits: AppendLimits = DEFAULT_APPEND_LIMITS,
): { data: string; metadata: string }[] {
  toStreamName(stream);
  if (!Array.isArray(events) || events.length === 0) {
    throw new ValidationError(`append to ${stream}`, [
      { path: [], message: 'no events to append' },
    ]);
  }
  if (events.length > limits.maxEventsPerAppend) {
    throw new LimitExceededError('events per append', limits.maxEventsPerAppend, events.length);
  }
  let total = 0;
  return events.map((event, index) => {
    if (typeof event?.type !== 'string' || event.type.length === 0) {
      throw new ValidationError(`append to ${stream}`, [
        { path: [index, 'type'], message: 'expected a non-empty string' },
      ]);
    }
    const data = toJson(event.data ?? null, stream, [index, 'data']);
    const metadata = toJson(event.metadata ?? {}, stream, [index, 'metadata']);
    const bytes = Buffer.byteLength(data) + Buffer.byteLength(metadata);
    if (bytes > limits.maxEventBytes) {
      throw new LimitExceededError(
        `size of event ${index} (${event.type})`,
        limits.maxEventBytes,
        bytes,
      );
    }
    total += bytes;
    if (total > limits.maxAppendBytes) {
      throw new LimitExceededError('size of append', limits.maxAppendBytes, total);
    }
    return { data, metadata };
  });
}

function toJson(value: unknown, stream: string, path: (string | number)[]): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // BigInt and cycles cannot be stored as JSON.
    throw new ValidationError(`append to ${stream}`, [
      { path, message: `not serializable as JSON: ${(error as Error).message}` },
    ]);
  }
  // A function or symbol serializes to nothing at all.
  if (json === undefined) {
    throw new ValidationError(`append to ${stream}`, [
      { path, message: 'not serializable as JSON' },
    ]);
  }
  return json;
}
