import { describe, expect, it } from 'vitest';
import { isUuid, newEventId } from '../../event-store/event-id.ts';
import type { AppendResult } from '../../event-store/event-store.ts';
import type { ExpectedVersion } from '../../event-store/expected-version.ts';
import type { NewEvent, RecordedEvent } from '../../event-store/recorded-event.ts';
import {
  type ConformanceContext,
  collect,
  numberedEvents,
  uniqueCategory,
  uniqueStream,
} from './conformance-context.ts';

/**
 * `AppendResult.ids`: the ids of the stored events, in order, whoever made them. A writer
 * that sends no ids (the command bus) names the events it appended from them alone.
 */
export function describeAppendResultIds(context: ConformanceContext): void {
  const race = it.skipIf(!context.supportsConcurrentWriters);

  /** The stored events an append's result names: its stream, the versions it ended at. */
  async function storedBy(result: AppendResult): Promise<RecordedEvent[]> {
    const count = result.ids.length;
    return collect(
      context.store().readStream(result.stream, {
        fromVersion: result.streamVersion - count + 1,
        toVersion: result.streamVersion,
      }),
    );
  }

  /** The result names exactly the stored events: same ids and positions, in version order. */
  async function expectNamesStored(result: AppendResult, count: number): Promise<void> {
    expect(result.ids).toHaveLength(count);
    const stored = await storedBy(result);
    expect(stored.map((event) => event.id)).toEqual(result.ids);
    expect(stored.map((event) => event.position)).toEqual(result.positions);
  }

  describe('append: the result names the stored events (ids)', () => {
    it('given an append without ids, when it returns, then its ids are new UUIDs, the ids read back, in order', async () => {
      const stream = uniqueStream();
      const store = context.store();
      const result = await store.append(stream, numberedEvents(3), {
        expectedVersion: 'no_stream',
      });
      expect(result.ids.every((id) => isUuid(id))).toBe(true);
      expect(new Set(result.ids).size).toBe(3);
      const stored = await collect(store.readStream(stream));
      expect(stored.map((event) => event.id)).toEqual(result.ids);
      expect(stored.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    });

    it('given a second append to the stream, then its ids name the new events only', async () => {
      const stream = uniqueStream();
      const store = context.store();
      const first = await store.append(stream, numberedEvents(2));
      const second = await store.append(stream, numberedEvents(2, 3), { expectedVersion: 2 });
      await expectNamesStored(second, 2);
      expect(second.ids.some((id) => first.ids.includes(id))).toBe(false);
    });

    it("given an append with the caller's ids in capitals and one without, then ids are the stored ids (lower case), in order", async () => {
      const stream = uniqueStream();
      const given = [newEventId(), newEventId()];
      const events: NewEvent[] = [
        { id: given[0]!.toUpperCase(), type: 'Numbered', data: { n: 1 } },
        { type: 'Numbered', data: { n: 2 } },
        { id: given[1]!, type: 'Numbered', data: { n: 3 } },
      ];
      const result = await context.store().append(stream, events);
      expect(result.ids[0]).toBe(given[0]);
      expect(result.ids[2]).toBe(given[1]);
      expect(isUuid(result.ids[1])).toBe(true);
      await expectNamesStored(result, 3);
    });

    it('given an append with ids, when it is retried, then the retry names the same stored events', async () => {
      const stream = uniqueStream();
      const store = context.store();
      const events = numberedEvents(2).map((event) => ({ ...event, id: newEventId() }));
      const first = await store.append(stream, events, { expectedVersion: 'no_stream' });
      const retried = await store.append(stream, events, { expectedVersion: 'no_stream' });
      expect(retried.ids).toEqual(first.ids);
      expect(retried.ids).toEqual(events.map((event) => event.id));
      await expectNamesStored(retried, 2);
    });

    race(
      'given appends fired at the same moment (one commit where the store groups them), with and without ids, then each result names its own stored events',
      async () => {
        const category = uniqueCategory();
        // Several streams, several appends to one of them ('any'), ids on some: a store that
        // groups concurrent appends into one commit gets all of it in one batch.
        const calls: { stream: string; events: NewEvent[]; expectedVersion: ExpectedVersion }[] =
          Array.from({ length: 12 }, (_, index) => {
            const events = numberedEvents(1 + (index % 3), index * 10);
            return {
              stream: `${category}-${index < 6 ? 0 : index}`,
              events:
                index % 4 === 1 ? events.map((event) => ({ ...event, id: newEventId() })) : events,
              expectedVersion: index < 6 ? 'any' : 'no_stream',
            };
          });
        const results = await Promise.all(
          calls.map(({ stream, events, expectedVersion }) =>
            context.store().append(stream, events, { expectedVersion }),
          ),
        );
        for (const [index, result] of results.entries()) {
          const call = calls[index]!;
          await expectNamesStored(result, call.events.length);
          const stored = await storedBy(result);
          expect(stored.map((event) => event.data)).toEqual(call.events.map((e) => e.data));
          for (const [at, event] of call.events.entries()) {
            if (event.id !== undefined) expect(result.ids[at]).toBe(event.id);
          }
        }
        const all = await collect(context.store().readAll({ category }));
        expect(all.map((event) => event.id).sort()).toEqual(
          results.flatMap((result) => result.ids).sort(),
        );
      },
    );
  });
}
