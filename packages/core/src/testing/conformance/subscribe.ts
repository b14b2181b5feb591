import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../event-store/recorded-event.ts';
import {
  type ConformanceContext,
  numberedEvents,
  uniqueCategory,
  within,
} from './conformance-context.ts';

/** Subscriptions catch up, follow live appends, and end when their signal aborts. */
export function describeSubscribe(context: ConformanceContext): void {
  describe('subscribe', () => {
    // Generous: a PostgreSQL adapter may poll or wait for NOTIFY.
    const patience = 10_000;

    async function nextEvent(iterator: AsyncIterator<RecordedEvent>): Promise<RecordedEvent> {
      const result = await within(iterator.next(), patience, 'the next subscribed event');
      if (result.done) throw new Error('the subscription ended early');
      return result.value;
    }

    it('given past events, when subscribing, then it catches up, receives live appends in order, and stops on abort', async () => {
      const category = uniqueCategory();
      const store = context.store();
      await store.append(`${category}-1`, numberedEvents(2, 1));
      await store.append(`${category}-2`, numberedEvents(1, 3));
      const controller = new AbortController();
      const iterator = store
        .subscribe({ category, signal: controller.signal, pageSize: 2 })
        [Symbol.asyncIterator]();
      const caughtUp = [
        await nextEvent(iterator),
        await nextEvent(iterator),
        await nextEvent(iterator),
      ];
      expect(caughtUp.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

      // A next() that waits for an event not yet written, then the write.
      const pending = nextEvent(iterator);
      await store.append(`${category}-1`, numberedEvents(2, 4));
      const live = [await pending, await nextEvent(iterator)];
      expect(live.map((event) => event.data)).toEqual([{ n: 4 }, { n: 5 }]);
      expect(live[0]!.position > caughtUp[2]!.position).toBe(true);

      // A next() that is waiting when the signal aborts must settle as done.
      const waiting = within(iterator.next(), patience, 'the subscription to end on abort');
      controller.abort();
      expect((await waiting).done).toBe(true);
      expect((await within(iterator.next(), patience, 'done after abort')).done).toBe(true);
    });

    it('given a start position and filters, when subscribing, then only later matching events come', async () => {
      const category = uniqueCategory();
      const store = context.store();
      const first = await store.append(`${category}-1`, numberedEvents(2));
      const controller = new AbortController();
      const iterator = store
        .subscribe({
          category,
          types: ['Wanted'],
          after: first.position,
          signal: controller.signal,
        })
        [Symbol.asyncIterator]();
      await store.append(`${category}-1`, [
        { type: 'Unwanted', data: { n: 1 } },
        { type: 'Wanted', data: { n: 2 } },
      ]);
      await store.append(`${uniqueCategory()}-1`, [{ type: 'Wanted', data: { n: 3 } }]);
      await store.append(`${category}-2`, [{ type: 'Wanted', data: { n: 4 } }]);
      expect((await nextEvent(iterator)).data).toEqual({ n: 2 });
      expect((await nextEvent(iterator)).data).toEqual({ n: 4 });
      controller.abort();
      expect((await within(iterator.next(), patience, 'the end after abort')).done).toBe(true);
    });

    it('given a signal already aborted, when subscribing, then the iteration ends at once', async () => {
      const category = uniqueCategory();
      await context.store().append(`${category}-1`, numberedEvents(1));
      const iterator = context
        .store()
        .subscribe({ category, signal: AbortSignal.abort() })
        [Symbol.asyncIterator]();
      expect((await within(iterator.next(), patience, 'an aborted subscription')).done).toBe(true);
    });

    it('given a subscription, when the consumer breaks out of for-await, then it ends without abort', async () => {
      const category = uniqueCategory();
      await context.store().append(`${category}-1`, numberedEvents(3));
      const seen: unknown[] = [];
      const loop = (async () => {
        for await (const event of context.store().subscribe({ category })) {
          seen.push(event.data);
          if (seen.length === 2) break;
        }
      })();
      await within(loop, patience, 'the for-await loop to end');
      expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    });
  });
}
