import { beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceContext, numberedEvents, uniqueStream } from './conformance-context.ts';

/** A stream of `largeStreamSize` events, read in small pages both ways and cut short. */
export function describeLargeStream(context: ConformanceContext): void {
  describe('large stream', () => {
    const size = context.largeStreamSize;
    const batch = 500;
    let stream = '';

    beforeAll(async () => {
      stream = uniqueStream('large');
      for (let first = 1; first <= size; first += batch) {
        const count = Math.min(batch, size - first + 1);
        await context.store().append(stream, numberedEvents(count, first), {
          expectedVersion: first === 1 ? 'no_stream' : first - 1,
        });
      }
    });

    it(`given ${size} events appended in batches, when reading forward in pages of 37, then every version comes once, in order`, async () => {
      let expected = 1;
      for await (const event of context.store().readStream(stream, { pageSize: 37 })) {
        expect(event.streamVersion).toBe(expected);
        expect(event.data).toEqual({ n: expected });
        expected++;
      }
      expect(expected - 1).toBe(size);
      expect((await context.store().streamInfo(stream))?.version).toBe(size);
    });

    it(`given ${size} events, when reading backward in pages of 37, then every version comes once, newest first`, async () => {
      let expected = size;
      for await (const event of context
        .store()
        .readStream(stream, { direction: 'backward', pageSize: 37 })) {
        expect(event.streamVersion).toBe(expected);
        expected--;
      }
      expect(expected).toBe(0);
    });

    it(`given ${size} events, when a reader breaks after 3, then the iteration ends cleanly and the store keeps serving`, async () => {
      const seen: number[] = [];
      for await (const event of context.store().readStream(stream, { pageSize: 10 })) {
        seen.push(event.streamVersion);
        if (seen.length === 3) break;
      }
      expect(seen).toEqual([1, 2, 3]);
      const backward: number[] = [];
      for await (const event of context
        .store()
        .readStream(stream, { direction: 'backward', pageSize: 10 })) {
        backward.push(event.streamVersion);
        if (backward.length === 2) break;
      }
      expect(backward).toEqual([size, size - 1]);
      // A new read after the broken ones still works: nothing was left locked or open.
      const result = await context.store().append(stream, numberedEvents(1, size + 1), {
        expectedVersion: size,
      });
      expect(result.streamVersion).toBe(size + 1);
    });

    it(`given ${size} events, when the iterator is returned early by hand, then its next call is done`, async () => {
      const iterator = context.store().readStream(stream, { pageSize: 5 })[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      await iterator.return?.();
      expect((await iterator.next()).done).toBe(true);
    });
  });
}
