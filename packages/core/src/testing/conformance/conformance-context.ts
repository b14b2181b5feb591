import type { CommittedEventPages } from '../../event-store/committed-event-pages.ts';
import type { EventStore } from '../../event-store/event-store.ts';
import type { NewEvent, RecordedEvent } from '../../event-store/recorded-event.ts';

/** What every group of conformance tests gets: the store under test and its settings. */
export interface ConformanceContext {
  /** The store made by `create` for this run of the suite (set in `beforeAll`). */
  store(): EventStore & CommittedEventPages;
  readonly largeStreamSize: number;
  readonly supportsConcurrentWriters: boolean;
  /** fast-check runs of the model properties: sequential operations, and concurrent batches. */
  readonly modelRuns: { readonly sequential: number; readonly concurrent: number };
}

/**
 * A category no other test uses (letters and digits, no `-`), so tests can share one
 * store, and one database, and still read `readAll({ category })` as if alone.
 */
export function uniqueCategory(label = 'c'): string {
  return `${label}${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** A stream in a category of its own. */
export function uniqueStream(label = 's'): string {
  return `${uniqueCategory(label)}-1`;
}

/** `count` events of one type whose data records their order: `{ n: first + i }`. */
export function numberedEvents(count: number, first = 1, type = 'Numbered'): NewEvent[] {
  return Array.from({ length: count }, (_, index) => ({ type, data: { n: first + index } }));
}

/** Drains an async iterable into an array (only for the small reads of a test). */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The stream versions of recorded events, for compact assertions. */
export function versionsOf(events: readonly RecordedEvent[]): number[] {
  return events.map((event) => event.streamVersion);
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * Rejects when `promise` has not settled within `ms`, so a subscription that never
 * delivers fails its test with a message instead of hanging the run.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
