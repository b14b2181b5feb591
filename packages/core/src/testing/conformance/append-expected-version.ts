import { describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../errors/concurrency-error.ts';
import type { ExpectedVersion } from '../../event-store/expected-version.ts';
import {
  type ConformanceContext,
  collect,
  numberedEvents,
  rejectionOf,
  uniqueStream,
  versionsOf,
} from './conformance-context.ts';

/** Expected-version modes, each passing and failing, and contiguous versions. */
export function describeExpectedVersions(context: ConformanceContext): void {
  describe('append: expected versions', () => {
    /** A stream with `events` events already in it (none: a stream that does not exist). */
    async function streamAt(events: number): Promise<string> {
      const stream = uniqueStream();
      if (events > 0) await context.store().append(stream, numberedEvents(events));
      return stream;
    }

    const passing: [string, number, ExpectedVersion][] = [
      ["'any' on a missing stream", 0, 'any'],
      ["'any' on an existing stream", 2, 'any'],
      ["'no_stream' on a missing stream", 0, 'no_stream'],
      ['0 on a missing stream', 0, 0],
      ["'stream_exists' on an existing stream", 2, 'stream_exists'],
      ['the exact version of an existing stream', 2, 2],
    ];
    for (const [title, existing, expectedVersion] of passing) {
      it(`given ${title}, when appending, then the events follow the last version`, async () => {
        const stream = await streamAt(existing);
        const result = await context
          .store()
          .append(stream, numberedEvents(2, existing + 1), { expectedVersion });
        expect(result.stream).toBe(stream);
        expect(result.streamVersion).toBe(existing + 2);
        expect(versionsOf(await collect(context.store().readStream(stream)))).toEqual(
          Array.from({ length: existing + 2 }, (_, index) => index + 1),
        );
      });
    }

    const failing: [string, number, ExpectedVersion][] = [
      ["'no_stream' on an existing stream", 2, 'no_stream'],
      ['0 on an existing stream', 2, 0],
      ["'stream_exists' on a missing stream", 0, 'stream_exists'],
      ['a version behind the stream', 2, 1],
      ['a version ahead of the stream', 2, 5],
      ['a version on a missing stream', 0, 3],
    ];
    for (const [title, existing, expectedVersion] of failing) {
      it(`given ${title}, when appending, then ConcurrencyError names stream, expected and actual, and nothing is stored`, async () => {
        const stream = await streamAt(existing);
        const error = await rejectionOf(
          context.store().append(stream, numberedEvents(2, existing + 1), { expectedVersion }),
        );
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({
          code: 'CONCURRENCY',
          stream,
          expected: expectedVersion,
          actual: existing,
        });
        expect(await collect(context.store().readStream(stream))).toHaveLength(existing);
      });
    }

    it('given no expected version, when appending twice, then both succeed (the default is any)', async () => {
      const stream = await streamAt(1);
      await context.store().append(stream, numberedEvents(1, 2));
      const result = await context.store().append(stream, numberedEvents(1, 3));
      expect(result.streamVersion).toBe(3);
    });

    it('given appends of several sizes, when reading, then versions are contiguous from 1 and results match', async () => {
      const stream = uniqueStream();
      const store = context.store();
      let version = 0;
      for (const size of [1, 3, 2, 5]) {
        const result = await store.append(stream, numberedEvents(size, version + 1), {
          expectedVersion: version === 0 ? 'no_stream' : version,
        });
        version += size;
        expect(result.streamVersion).toBe(version);
        expect(result.positions).toHaveLength(size);
        expect(result.position).toBe(result.positions.at(-1));
      }
      const events = await collect(store.readStream(stream));
      expect(versionsOf(events)).toEqual(Array.from({ length: 11 }, (_, index) => index + 1));
      expect(events.map((event) => event.data)).toEqual(
        Array.from({ length: 11 }, (_, index) => ({ n: index + 1 })),
      );
    });
  });
}
