import { describe, expect, it } from 'vitest';
import type { ReadStreamOptions } from '../../event-store/event-store.ts';
import {
  type ConformanceContext,
  collect,
  numberedEvents,
  uniqueStream,
  versionsOf,
} from './conformance-context.ts';

/** `readStream` in both directions, with every bound, over small pages. */
export function describeReadStream(context: ConformanceContext): void {
  describe('readStream', () => {
    /** A stream of 10 events, appended in three batches so pages cross append borders. */
    async function tenEvents(): Promise<string> {
      const stream = uniqueStream();
      await context.store().append(stream, numberedEvents(4, 1));
      await context.store().append(stream, numberedEvents(3, 5));
      await context.store().append(stream, numberedEvents(3, 8));
      return stream;
    }

    const range = (from: number, to: number) =>
      from <= to
        ? Array.from({ length: to - from + 1 }, (_, index) => from + index)
        : Array.from({ length: from - to + 1 }, (_, index) => from - index);

    const cases: [string, ReadStreamOptions, number[]][] = [
      ['no options', {}, range(1, 10)],
      ['forward from version 4', { fromVersion: 4 }, range(4, 10)],
      ['forward from 3 to 6', { fromVersion: 3, toVersion: 6 }, range(3, 6)],
      ['forward to version 5', { toVersion: 5 }, range(1, 5)],
      ['forward with maxCount 3', { maxCount: 3 }, range(1, 3)],
      ['forward from 5 with maxCount 2', { fromVersion: 5, maxCount: 2 }, range(5, 6)],
      ['forward from beyond the end', { fromVersion: 11 }, []],
      ['forward to beyond the end', { toVersion: 50 }, range(1, 10)],
      ['forward with maxCount 0', { maxCount: 0 }, []],
      ['backward', { direction: 'backward' }, range(10, 1)],
      ['backward from version 7', { direction: 'backward', fromVersion: 7 }, range(7, 1)],
      [
        'backward from 8 to 4',
        { direction: 'backward', fromVersion: 8, toVersion: 4 },
        range(8, 4),
      ],
      ['backward to version 6', { direction: 'backward', toVersion: 6 }, range(10, 6)],
      ['backward with maxCount 3', { direction: 'backward', maxCount: 3 }, range(10, 8)],
      [
        'backward from beyond the end',
        { direction: 'backward', fromVersion: 50, maxCount: 2 },
        range(10, 9),
      ],
    ];
    for (const [title, options, expected] of cases) {
      for (const pageSize of [undefined, 3]) {
        const paging = pageSize === undefined ? 'default pages' : `pages of ${pageSize}`;
        it(`given a stream of 10 events, when reading ${title} in ${paging}, then versions are ${expected.length > 0 ? expected.join(',') : 'none'}`, async () => {
          const stream = await tenEvents();
          const read = context
            .store()
            .readStream(stream, pageSize === undefined ? options : { ...options, pageSize });
          const events = await collect(read);
          expect(versionsOf(events)).toEqual(expected);
          expect(events.map((event) => event.data)).toEqual(expected.map((n) => ({ n })));
          expect(events.every((event) => event.stream === stream)).toBe(true);
        });
      }
    }

    it('given a stream that does not exist, when reading either way, then nothing is yielded', async () => {
      const stream = uniqueStream();
      expect(await collect(context.store().readStream(stream))).toEqual([]);
      expect(await collect(context.store().readStream(stream, { direction: 'backward' }))).toEqual(
        [],
      );
    });

    it('given recorded events, when reading, then each has id, type, schema version 1 and a position', async () => {
      const stream = uniqueStream();
      const result = await context.store().append(stream, numberedEvents(2));
      const events = await collect(context.store().readStream(stream));
      expect(events.map((event) => event.position)).toEqual(result.positions);
      for (const event of events) {
        expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(event.type).toBe('Numbered');
        expect(event.schemaVersion).toBe(1);
      }
    });
  });
}
