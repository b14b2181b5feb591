import type { CommittedEventPages, EventRegistry } from '@duet/core';
import { createNotifyWakeUp } from '../executor/notify-wake-up.ts';
import type { SqlExecutor } from '../executor/sql-executor.ts';
import { eventsChannel } from '../schema-name.ts';
import { readCommittedPage } from './read-committed-page.ts';

/** A store's `CommittedEventPages` apart from the store, with its own LISTEN to close. */
export interface PostgresCommittedEventPages extends CommittedEventPages {
  /** Stops listening; a later `commits.start()` listens again. The executor stays open. */
  close(): Promise<void>;
}

/**
 * The committed-pages port of the events in `schema`, for a reader that has the store's
 * executor but not the store (`createPostgresEventStore` has the same port built in).
 *
 * @example
 * const pages = createCommittedEventPages({ executor, schema: 'duet', events: undefined });
 * const page = await pages.readCommittedPage(START_POSITION, { limit: 100, types: null });
 */
export function createCommittedEventPages(source: {
  readonly executor: SqlExecutor;
  readonly schema: string;
  readonly events: EventRegistry | undefined;
}): PostgresCommittedEventPages {
  const { executor, schema, events } = source;
  const wake = createNotifyWakeUp((onNotify) => executor.listen(eventsChannel(schema), onNotify));
  return {
    readCommittedPage: (after, options) =>
      readCommittedPage({ executor, schema }, events, after, options),
    commits: wake,
    close: () => wake.close(),
  };
}
