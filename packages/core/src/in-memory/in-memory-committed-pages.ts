import { checkCommittedPageOptions } from '../event-store/check-committed-page-options.ts';
import type { CommitSignal, CommittedEventPages } from '../event-store/committed-event-pages.ts';
import { START_POSITION } from '../event-store/position.ts';
import type { EventRegistry } from '../messages/event-registry.ts';
import type { ChangeNotifier } from './change-notifier.ts';
import type { InMemoryEventLog } from './in-memory-event-log.ts';
import { streamPartition } from './stream-partition.ts';
import { toRecordedEvent } from './to-recorded-event.ts';

/**
 * The in-memory store's `CommittedEventPages`. Appends commit synchronously and in
 * position order, so a page is simply the next `limit` events of the log; the commit
 * signal is the store's change notifier.
 */
export function createInMemoryCommittedPages(context: {
  readonly log: InMemoryEventLog;
  readonly changes: ChangeNotifier;
  readonly registry: EventRegistry | undefined;
}): CommittedEventPages {
  const { log, changes } = context;
  const commits: CommitSignal = {
    get generation() {
      return changes.generation;
    },
    get notifiedHead() {
      return log.last()?.position ?? START_POSITION;
    },
    async start() {},
    wait: (since, timeoutMs, signal) => waitForCommit(changes, since, timeoutMs, signal),
  };
  return {
    async readCommittedPage(after, options) {
      checkCommittedPageOptions(after, options);
      const { types, partition } = options;
      const wanted = types === null ? null : new Set(types);
      const registry = options.registry ?? context.registry;
      const rows = log.after(after, options.limit);
      const events = rows
        .filter(
          (row) =>
            (wanted === null || wanted.has(row.type)) &&
            (partition === undefined ||
              streamPartition(row.stream, partition.count) === partition.index),
        )
        .map((row) => toRecordedEvent(row, registry));
      return { events, scanned: rows.length, end: rows.at(-1)?.position ?? null };
    },
    commits,
  };
}

async function waitForCommit(
  changes: ChangeNotifier,
  since: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (changes.generation !== since || signal?.aborted) return;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await changes.wait(stop.signal);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
