import type { Inbox, InboxEntry, InboxOutcome } from './inbox.ts';

/**
 * An inbox in memory, for users' unit tests: the same rules as the PostgreSQL inbox, with
 * a throwing handler undoing the whole call. Its handlers get no transaction (`undefined`).
 *
 * @example
 * const consumer = createIntegrationConsumer({ inbox: createInMemoryInbox(), ... });
 */
export function createInMemoryInbox(): Inbox<undefined> {
  const ids = new Map<string, Set<string>>();
  const cursors = new Map<string, Map<string, number>>();
  const of = <V>(map: Map<string, V>, key: string, make: () => V) => {
    let value = map.get(key);
    if (value === undefined) {
      value = make();
      map.set(key, value);
    }
    return value;
  };
  // One call at a time, as a database's row locks would make them.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => {});
    return next;
  };
  return {
    run: (consumer, entries, handle, options = {}) =>
      serial(async () => {
        const seen = of(ids, consumer, () => new Set<string>());
        const cursor = of(cursors, consumer, () => new Map<string, number>());
        // Staged, so a throwing handler leaves the inbox as it was.
        const newIds = new Set<string>();
        const newCursor = new Map<string, number>();
        const outcomes: InboxOutcome[] = [];
        for (const [index, entry] of entries.entries()) {
          if (seen.has(entry.messageId) || newIds.has(entry.messageId)) {
            outcomes.push('duplicate');
            continue;
          }
          const at = newCursor.get(entry.stream) ?? cursor.get(entry.stream) ?? 0;
          if (!options.ignoreOrder && entry.previousVersion > at) {
            outcomes.push('early');
            continue;
          }
          await handle(entry, index, undefined);
          newIds.add(entry.messageId);
          newCursor.set(entry.stream, Math.max(at, entry.streamVersion));
          outcomes.push('handled');
        }
        for (const id of newIds) seen.add(id);
        for (const [stream, version] of newCursor) cursor.set(stream, version);
        return outcomes;
      }),
    async pass(consumer, entry: InboxEntry) {
      const cursor = of(cursors, consumer, () => new Map<string, number>());
      cursor.set(entry.stream, Math.max(cursor.get(entry.stream) ?? 0, entry.streamVersion));
    },
    async handled(consumer, messageId) {
      return ids.get(consumer)?.has(messageId) ?? false;
    },
  };
}
