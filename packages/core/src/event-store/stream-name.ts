/**
 * A stream's name: `<category>-<id>`, e.g. `order-7f3c...`. The category (everything
 * before the first `-`) groups the streams of one kind for `readAll({ category })`.
 */
export type StreamName = string;

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
  return `${category}-${id}`;
}

/** The category of a stream: the part before the first `-` (the whole name if none). */
export function categoryOf(stream: StreamName): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}
