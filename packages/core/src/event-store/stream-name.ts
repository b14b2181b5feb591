import { ValidationError } from '../errors/validation-error.ts';

declare const streamNameBrand: unique symbol;

/**
 * A stream's name: `<category>-<id>`, e.g. `order-7f3c...`. The category (everything
 * before the first `-`) groups the streams of one kind for `readAll({ category })`.
 *
 * Branded so that a name that came out of the store (`RecordedEvent.stream`,
 * `AppendResult.stream`, `StreamInfo.stream`) or from `streamName()` does not mix with
 * any other string. The store's inputs (`append`, `readStream`, `streamInfo`) still take a
 * plain string and check it at run time, so `store.append('order-1', ...)` needs no cast.
 *
 * @example
 * const stream: StreamName = streamName('order', orderId);
 * for await (const event of store.readStream(stream)) console.log(event.stream);
 */
export type StreamName = string & { readonly [streamNameBrand]: 'StreamName' };

/** Longest stream name the stores accept, in characters. */
export const MAX_STREAM_NAME_LENGTH = 500;

/**
 * Builds a stream name from a category and an id.
 *
 * @example
 * streamName('order', 'a1') // 'order-a1'
 */
export function streamName(category: string, id: string): StreamName {
  if (category.length === 0 || category.includes('-')) {
    throw new TypeError(
      `stream category must be non-empty and have no '-': ${JSON.stringify(category)}`,
    );
  }
  return toStreamName(`${category}-${id}`);
}

// PostgreSQL text cannot hold NUL, nor UTF-8 encode an unpaired surrogate.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * True for a string the stores accept as a stream name: 1 to 500 characters, no NUL
 * character and no unpaired surrogate.
 */
export function isStreamName(value: unknown): value is StreamName {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_STREAM_NAME_LENGTH &&
    !value.includes('\u0000') &&
    !loneSurrogate.test(value)
  );
}

/**
 * Checks a stream name that came from outside (an argument, HTTP, the CLI) and returns it
 * branded, or throws a `ValidationError`.
 *
 * @example
 * const stream = toStreamName(request.params.stream); // StreamName
 */
export function toStreamName(value: unknown, subject = 'stream name'): StreamName {
  if (!isStreamName(value)) {
    throw new ValidationError(subject, [
      {
        path: [],
        message: `expected 1 to ${MAX_STREAM_NAME_LENGTH} characters, no NUL and no unpaired surrogate`,
      },
    ]);
  }
  return value;
}

/** The category of a stream: the part before the first `-` (the whole name if none). */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}
