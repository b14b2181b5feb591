import { describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../errors/concurrency-error.ts';
import type { AppendResult } from '../../event-store/event-store.ts';
import type { ExpectedVersion } from '../../event-store/expected-version.ts';
import type { Position } from '../../event-store/position.ts';
import {
  type ConformanceContext,
  collect,
  numberedEvents,
  uniqueCategory,
  uniqueStream,
  versionsOf,
} from './conformance-context.ts';

/** Writers racing: optimistic concurrency picks one winner per version; nothing is lost. */
export function describeConcurrentAppends(context: ConformanceContext): void {
  const race = it.skipIf(!context.supportsConcurrentWriters);

  describe('append: concurrent writers', () => {
    async function raceOn(stream: string, writers: number, expectedVersion: ExpectedVersion) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: writers }, (_, writer) =>
          context
            .store()
            .append(stream, [{ type: 'Raced', data: { writer } }], { expectedVersion }),
        ),
      );
      const winners = outcomes.filter(
        (outcome): outcome is PromiseFulfilledResult<AppendResult> =>
          outcome.status === 'fulfilled',
      );
      const losers = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
      );
      return { winners, losers };
    }

    race(
      'given a new stream, when 8 writers append the first event with no_stream, then exactly one wins and the rest get ConcurrencyError',
      async () => {
        const stream = uniqueStream();
        const { winners, losers } = await raceOn(stream, 8, 'no_stream');
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(7);
        for (const error of losers) {
          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ stream, expected: 'no_stream', actual: 1 });
        }
        expect(versionsOf(await collect(context.store().readStream(stream)))).toEqual([1]);
      },
    );

    race(
      'given a stream at version 3, when writers race round after round on the version they read, then exactly one wins per version',
      async () => {
        const stream = uniqueStream();
        await context.store().append(stream, numberedEvents(3));
        for (let version = 3; version < 6; version++) {
          const { winners, losers } = await raceOn(stream, 5, version);
          expect(winners).toHaveLength(1);
          expect(winners[0]!.value.streamVersion).toBe(version + 1);
          expect(losers).toHaveLength(4);
          for (const error of losers) {
            expect(error).toMatchObject({ stream, expected: version, actual: version + 1 });
          }
        }
        expect(versionsOf(await collect(context.store().readStream(stream)))).toEqual([
          1, 2, 3, 4, 5, 6,
        ]);
      },
    );

    race(
      "given a new stream, when 8 writers append with 'any' at once, then all succeed with contiguous versions",
      async () => {
        const stream = uniqueStream();
        const { winners } = await raceOn(stream, 8, 'any');
        expect(winners).toHaveLength(8);
        expect(winners.map((winner) => winner.value.streamVersion).sort((a, b) => a - b)).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8,
        ]);
        const events = await collect(context.store().readStream(stream));
        expect(versionsOf(events)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      },
    );

    race(
      'given 10 streams, when each gets an append at the same moment, then all succeed',
      async () => {
        const category = uniqueCategory();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            context.store().append(`${category}-${index}`, numberedEvents(2), {
              expectedVersion: 'no_stream',
            }),
          ),
        );
        expect(results.every((result) => result.streamVersion === 2)).toBe(true);
        const events = await collect(context.store().readAll({ category }));
        expect(events).toHaveLength(20);
        expect(new Set(events.map((event) => event.position)).size).toBe(20);
      },
    );

    race(
      'given writers appending while a reader follows readAll, then the reader sees every event exactly once, in position order',
      async () => {
        const category = uniqueCategory();
        let finished = false;
        const writes = Promise.all(
          Array.from({ length: 6 }, async (_, writer) => {
            for (let n = 0; n < 10; n++) {
              await context.store().append(`${category}-${writer}`, numberedEvents(1, n));
            }
          }),
        ).finally(() => {
          finished = true;
        });
        const seen: string[] = [];
        let after: Position | undefined;
        // Poll readAll from the last seen position while writers run, as a projection does;
        // one more poll after they finish picks up the rest.
        for (let last = false; !last; ) {
          last = finished;
          const page = await collect(
            context.store().readAll(after === undefined ? { category } : { category, after }),
          );
          for (const event of page) {
            if (after !== undefined) expect(event.position > after).toBe(true);
            seen.push(event.id);
            after = event.position;
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await writes;
        expect(seen).toHaveLength(60);
        expect(new Set(seen).size).toBe(60);
      },
    );
  });
}
