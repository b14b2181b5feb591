import type { EventRegistry } from '../messages/event-registry.ts';
import type { Position } from './position.ts';
import type { RecordedEvent } from './recorded-event.ts';

/**
 * One slice of the events a reader wants: `count` partitions by a stable hash of the
 * stream name, chosen by the store. Every stream is in exactly one partition, so a
 * stream's events stay in order within it, and the `count` partitions cover every event.
 */
export interface EventPartition {
  /** How many partitions the events are split into (1 or more). */
  readonly count: number;
  /** Which one to read: 0 to `count - 1`. */
  readonly index: number;
}

/** What one page reads. */
export interface CommittedPageOptions {
  /** Rows the page covers at most (all types and partitions count): 1 or more. */
  readonly limit: number;
  /** The event types to return; `null` returns every type (`[]` returns none). */
  readonly types: readonly string[] | null;
  /** Only this partition's streams (default: all streams). */
  readonly partition?: EventPartition;
  /**
   * Upcasts old schema versions with this registry instead of the store's (a processor
   * that brings its own event definitions composes them with the store's).
   */
  readonly registry?: EventRegistry;
}

/** One keyset page of the global order, reduced to the events a reader asked for. */
export interface CommittedPage {
  /** The matching events, in global order. */
  readonly events: RecordedEvent[];
  /** Rows the page covered (all types and partitions): fewer than `limit` means caught up. */
  readonly scanned: number;
  /**
   * The last position the page covered, matching or not, so a checkpoint can move past
   * events the reader does not want; `null` when the page covered nothing.
   */
  readonly end: Position | null;
}

/**
 * Wakes readers that have caught up when new events commit. `generation` counts
 * wake-ups: read it before a page, then `wait` with it, and a commit that lands while the
 * page is read is not slept through.
 *
 * @example
 * const seen = pages.commits.generation;
 * if ((await pages.readCommittedPage(after, options)).end === null) await pages.commits.wait(seen, 1_000, signal);
 */
export interface CommitSignal {
  /** Wake-ups so far; it only grows. */
  readonly generation: number;
  /**
   * The highest position a wake-up announced. A reader that finds nothing after a
   * position below it knows events are committed but held back (behind a running
   * transaction, in a store that has them), and that no further wake-up will come for them.
   */
  readonly notifiedHead: Position;
  /**
   * Starts listening for commits (once; later calls wait for the first). Call it before
   * the first page, or wake-ups before it may be missed and only `timeoutMs` wakes you.
   */
  start(): Promise<void>;
  /** Resolves on the next wake-up after `since`, after `timeoutMs`, or when `signal` aborts. */
  wait(since: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The processors' read port: committed events in global order, a page at a time,
 * filtered by type and partition, with a signal for new commits. A page never skips an
 * event that commits late: it stops where an older transaction may still add events.
 * Implemented by `createInMemoryEventStore` and `createPostgresEventStore`; the
 * conformance suite in `@duet/core/testing` checks both.
 *
 * @example
 * const page = await store.readCommittedPage(checkpoint, { limit: 500, types: ['OrderPlaced'], partition: { count: 4, index: 1 } });
 * for (const event of page.events) await apply(event); if (page.end) checkpoint = page.end;
 */
export interface CommittedEventPages {
  /** Up to `limit` rows strictly after `after`; of those, the matching events. */
  readCommittedPage(after: Position, options: CommittedPageOptions): Promise<CommittedPage>;
  /** Wakes readers when events commit. */
  readonly commits: CommitSignal;
}
