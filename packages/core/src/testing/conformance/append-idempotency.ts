import { describe, expect, it } from 'vitest';
import { DuplicateEventError } from '../../errors/duplicate-event-error.ts';
import { newEventId } from '../../event-store/event-id.ts';
import type { NewEvent } from '../../event-store/recorded-event.ts';
import {
  type ConformanceContext,
  collect,
  rejectionOf,
  uniqueCategory,
  uniqueStream,
} from './conformance-context.ts';

/** Retries by event id: the same append answers with its first result; anything else fails. */
export function describeIdempotency(context: ConformanceContext): void {
  describe('append: idempotent retries by event id', () => {
    function eventsWithIds(count: number): NewEvent[] {
      return Array.from({ length: count }, (_, index) => ({
        id: newEventId(),
        type: 'Numbered',
        data: { n: index + 1, nested: { list: [1, 'two', null] } },
      }));
    }

    it('given an append with ids, when it is retried with the same ids and payloads, then the original result returns and nothing new is stored', async () => {
      const stream = uniqueStream();
      const store = context.store();
      const events = eventsWithIds(3);
      const first = await store.append(stream, events, { expectedVersion: 'no_stream' });
      await store.append(stream, [{ type: 'Later', data: {} }]);
      // The expected version no longer matches: the retry must still be recognised.
      const retried = await store.append(stream, events, { expectedVersion: 'no_stream' });
      expect(retried).toEqual(first);
      const stored = await collect(store.readStream(stream));
      expect(stored).toHaveLength(4);
      expect(stored.slice(0, 3).map((event) => event.id)).toEqual(events.map((event) => event.id));
    });

    it('given a stored event, when its id is appended with other data, then DuplicateEventError and nothing is stored', async () => {
      const stream = uniqueStream();
      const store = context.store();
      const [event] = eventsWithIds(1);
      await store.append(stream, [event!]);
      const error = await rejectionOf(
        store.append(stream, [{ ...event!, data: { n: 99 } }], { expectedVersion: 'any' }),
      );
      expect(error).toBeInstanceOf(DuplicateEventError);
      expect(error).toMatchObject({ code: 'DUPLICATE_EVENT', eventId: event!.id });
      expect(await collect(store.readStream(stream))).toHaveLength(1);
    });

    it('given a stored event, when its id is appended with another type, then DuplicateEventError', async () => {
      const stream = uniqueStream();
      const [event] = eventsWithIds(1);
      await context.store().append(stream, [event!]);
      const error = await rejectionOf(
        context.store().append(stream, [{ ...event!, type: 'Other' }]),
      );
      expect(error).toBeInstanceOf(DuplicateEventError);
    });

    it('given a stored event, when its id is appended to another stream, then DuplicateEventError and the other stream stays empty', async () => {
      const category = uniqueCategory();
      const [event] = eventsWithIds(1);
      await context.store().append(`${category}-a`, [event!]);
      const error = await rejectionOf(context.store().append(`${category}-b`, [event!]));
      expect(error).toBeInstanceOf(DuplicateEventError);
      expect(await context.store().streamInfo(`${category}-b`)).toBeNull();
    });

    it('given stored events, when an append mixes their ids with new ones, then DuplicateEventError and none of it is stored', async () => {
      const stream = uniqueStream();
      const store = context.store();
      const events = eventsWithIds(2);
      await store.append(stream, events);
      const mixed = [eventsWithIds(1)[0]!, events[0]!, eventsWithIds(1)[0]!];
      const error = await rejectionOf(store.append(stream, mixed, { expectedVersion: 'any' }));
      expect(error).toBeInstanceOf(DuplicateEventError);
      expect(await collect(store.readStream(stream))).toHaveLength(2);
    });

    it('given a stored append, when a retry sends only some of its events, then DuplicateEventError', async () => {
      const stream = uniqueStream();
      const events = eventsWithIds(3);
      await context.store().append(stream, events);
      const error = await rejectionOf(context.store().append(stream, events.slice(0, 2)));
      expect(error).toBeInstanceOf(DuplicateEventError);
      expect(await collect(context.store().readStream(stream))).toHaveLength(3);
    });
  });
}
