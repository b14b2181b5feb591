import { describe, expect, it } from 'vitest';
import { newEventId } from '../../event-store/event-id.ts';
import { type ConformanceContext, collect, uniqueStream } from './conformance-context.ts';

/** What goes in comes out: ids, metadata, timestamps, unicode and nested JSON. */
export function describeEventContent(context: ConformanceContext): void {
  describe('event content', () => {
    it('given metadata with correlation, causation, actor, tenant and custom keys, when reading, then it round-trips with a timestamp added', async () => {
      const stream = uniqueStream();
      const metadata = {
        correlationId: newEventId(),
        causationId: newEventId(),
        actor: 'user:ana',
        tenant: 'acme',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        custom: { retries: 2, tags: ['a', 'b'] },
      };
      const before = Date.now();
      await context.store().append(stream, [{ type: 'WithMetadata', data: {}, metadata }]);
      const [event] = await collect(context.store().readStream(stream));
      expect(event?.metadata).toEqual({ ...metadata, timestamp: expect.any(String) });
      const timestamp = Date.parse(event!.metadata.timestamp);
      expect(Number.isNaN(timestamp)).toBe(false);
      // The store's clock may be another machine's: allow a day of skew, not a wrong field.
      expect(Math.abs(timestamp - before)).toBeLessThan(24 * 60 * 60 * 1000);
    });

    it('given an event without metadata, when reading, then its metadata holds a timestamp', async () => {
      const stream = uniqueStream();
      await context.store().append(stream, [{ type: 'Bare', data: { ok: true } }]);
      const [event] = await collect(context.store().readStream(stream));
      expect(typeof event?.metadata.timestamp).toBe('string');
    });

    it('given an id chosen by the writer, when reading, then the event has that id', async () => {
      const stream = uniqueStream();
      const id = newEventId();
      await context.store().append(stream, [{ id, type: 'WithId', data: {} }]);
      const [event] = await collect(context.store().readStream(stream));
      expect(event?.id).toBe(id);
    });

    it('given unicode and deeply nested JSON, when reading, then the data is exactly what was written', async () => {
      const stream = uniqueStream();
      const data = {
        text: 'Grüße, 世界! 🎉👩🏽‍💻 עברית e\u0301 "quoted" \\ back\nslash\ttab',
        emptyString: '',
        numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER, -0.000123],
        flags: [true, false, null],
        nested: { a: { b: { c: { d: [{ e: [1, [2, [3]]] }] } } } },
        emptyObject: {},
        emptyArray: [],
        'key with spaces and ünïcode 🔑': 'value',
      };
      await context.store().append(stream, [
        { type: 'Unicode', data },
        { type: 'Scalar', data: 'just a string' },
        { type: 'Array', data: [1, 'two', { three: 3 }] },
        { type: 'Null', data: null },
      ]);
      const events = await collect(context.store().readStream(stream));
      expect(events.map((event) => event.data)).toEqual([
        data,
        'just a string',
        [1, 'two', { three: 3 }],
        null,
      ]);
    });
  });
}
