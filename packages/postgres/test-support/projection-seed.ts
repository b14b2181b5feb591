// Seeding and reading back the events of the projection stress tests, through the store's
// public API only (so the tests follow any change to the events table).
import type { RecordedEvent } from '@duet/core';
import type { PostgresEventStore } from '@duet/postgres';
import { DEPOSITED } from './projection-ledger.ts';

/** The amount of the `index`-th event ever seeded: deterministic, never zero. */
export const amountFor = (index: number) => ((index * 7919) % 997) + 1;

export interface SeedOptions {
  readonly streams: number;
  readonly eventsPerStream: number;
  /** Events per append: each stream is written in eventsPerStream / perAppend rounds. */
  readonly perAppend: number;
  /** Appends in flight at once (group commit gathers them into few transactions). */
  readonly concurrency: number;
  readonly prefix?: string;
}

/**
 * Appends streams × eventsPerStream `Deposited` events, round by round so the streams
 * interleave in the global order. Returns how many were written.
 */
export async function seedDeposits(
  store: PostgresEventStore,
  options: SeedOptions,
): Promise<number> {
  const prefix = options.prefix ?? 'acct';
  const rounds = Math.ceil(options.eventsPerStream / options.perAppend);
  let written = 0;
  for (let round = 0; round < rounds; round++) {
    const size = Math.min(options.perAppend, options.eventsPerStream - round * options.perAppend);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const stream = next++;
        if (stream >= options.streams) return;
        const events = Array.from({ length: size }, (_, i) => ({
          type: DEPOSITED,
          data: { amount: amountFor(written + stream * size + i) },
        }));
        await store.append(`${prefix}-${stream}`, events);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    written += options.streams * size;
  }
  return written;
}

/**
 * Every event in the store, in global order, once `expected` of them are visible: readAll
 * stops below transactions still running (other tests' too), so a just-acknowledged
 * append can take a moment to show.
 */
export async function readEverything(
  store: PostgresEventStore,
  expected: number,
  timeoutMs = 10_000,
): Promise<RecordedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll({ pageSize: 5_000 })) events.push(event);
    if (events.length >= expected || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
