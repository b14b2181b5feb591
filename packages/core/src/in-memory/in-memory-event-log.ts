import type { AppendResult } from '../event-store/event-store.ts';
import type { Position } from '../event-store/position.ts';
import { categoryOf, type StreamName } from '../event-store/stream-name.ts';

/** An event as the in-memory store keeps it: data and metadata as JSON, like a database. */
export interface StoredEvent {
  readonly id: string;
  readonly stream: StreamName;
  readonly streamVersion: number;
  readonly position: Position;
  readonly type: string;
  readonly schemaVersion: number;
  /** JSON text, parsed anew on every read so callers can never mutate what is stored. */
  readonly data: string;
  readonly metadata: string;
  /** The append that stored it, to answer an idempotent retry with the original result. */
  readonly append: StoredAppend;
}

export interface StoredAppend {
  readonly result: AppendResult;
  readonly eventCount: number;
}

interface StoredStream {
  readonly events: StoredEvent[];
  readonly createdAt: string;
  updatedAt: string;
}

/** Which events a `readAll` page takes. */
export interface AllFilter {
  readonly category?: string | undefined;
  readonly types?: ReadonlySet<string> | undefined;
}

/**
 * The storage behind the in-memory event store: one global log plus an index per stream
 * and per event id. Every method is synchronous, so a page or a commit can never see half
 * of another append.
 */
export interface InMemoryEventLog {
  version(stream: string): number;
  stream(stream: string): Readonly<StoredStream> | undefined;
  byId(id: string): StoredEvent | undefined;
  last(): StoredEvent | undefined;
  commit(events: readonly StoredEvent[], at: string): void;
  /** Versions `from` up to `to` (inclusive), at most `limit` of them. */
  streamForward(stream: string, from: number, to: number, limit: number): StoredEvent[];
  /** Versions `from` down to `to` (inclusive), at most `limit` of them. */
  streamBackward(stream: string, from: number, to: number, limit: number): StoredEvent[];
  /**
   * Up to `limit` matching events after `after`, and the position scanned up to (which
   * moves past non-matching events, so the next page does not scan them again).
   */
  /** The next `limit` events after `after`, whatever their stream or type. */
  after(after: Position, limit: number): StoredEvent[];
  allAfter(
    after: Position,
    filter: AllFilter,
    limit: number,
  ): { events: StoredEvent[]; scanned: Position };
}

/** Creates an empty log. */
export function createInMemoryEventLog(): InMemoryEventLog {
  const all: StoredEvent[] = [];
  const streams = new Map<string, StoredStream>();
  const ids = new Map<string, StoredEvent>();

  // Positions compare as strings, so a binary search finds where a read resumes even
  // for a position token that this log did not hand out.
  function firstIndexAfter(after: Position): number {
    let low = 0;
    let high = all.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (all[middle]!.position <= after) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  return {
    version: (stream) => streams.get(stream)?.events.length ?? 0,
    stream: (stream) => streams.get(stream),
    byId: (id) => ids.get(id),
    last: () => all.at(-1),
    commit(events, at) {
      for (const event of events) {
        let stored = streams.get(event.stream);
        if (!stored) {
          stored = { events: [], createdAt: at, updatedAt: at };
          streams.set(event.stream, stored);
        }
        stored.events.push(event);
        stored.updatedAt = at;
        ids.set(event.id, event);
        all.push(event);
      }
    },
    streamForward(stream, from, to, limit) {
      const events = streams.get(stream)?.events ?? [];
      const start = Math.max(from, 1) - 1;
      const end = Math.min(to, events.length, start + limit);
      return events.slice(start, Math.max(start, end));
    },
    streamBackward(stream, from, to, limit) {
      const events = streams.get(stream)?.events ?? [];
      const page: StoredEvent[] = [];
      for (let version = Math.min(from, events.length); version >= Math.max(to, 1); version--) {
        if (page.length >= limit) break;
        page.push(events[version - 1]!);
      }
      return page;
    },
    after(after, limit) {
      const start = firstIndexAfter(after);
      return all.slice(start, start + limit);
    },
    allAfter(after, filter, limit) {
      const events: StoredEvent[] = [];
      let scanned = after;
      for (let index = firstIndexAfter(after); index < all.length; index++) {
        if (events.length >= limit) break;
        const event = all[index]!;
        scanned = event.position;
        if (filter.category !== undefined && categoryOf(event.stream) !== filter.category) continue;
        if (filter.types !== undefined && !filter.types.has(event.type)) continue;
        events.push(event);
      }
      return { events, scanned };
    },
  };
}
