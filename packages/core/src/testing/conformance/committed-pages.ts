import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/validation-error.ts';
import type { CommittedPageOptions } from '../../event-store/committed-event-pages.ts';
import type { Position } from '../../event-store/position.ts';
import type { RecordedEvent } from '../../event-store/recorded-event.ts';
import {
  type ConformanceContext,
  numberedEvents,
  rejectionOf,
  uniqueCategory,
  within,
} from './conformance-context.ts';

/**
 * `readCommittedPage` and `commits`: pages in global order, `end` past what a reader
 * skips, type and partition filters, no skipped late commit, and the commit signal.
 * Each test uses event types of its own, so events of other tests never match.
 */
export function describeCommittedPages(context: ConformanceContext): void {
  const race = it.skipIf(!context.supportsConcurrentWriters);

  describe('readCommittedPage', () => {
    /**
     * Every page after `after` until one covers nothing and `until` is passed: the events
     * and each page. A page may cover nothing before `until` while the read horizon waits
     * on a transaction it cannot rule out yet (another schema's, on a busy server): the
     * reader then asks again, as a processor would.
     */
    async function readToEnd(after: Position, options: CommittedPageOptions, until: Position) {
      const events: RecordedEvent[] = [];
      const pages: { scanned: number; end: Position | null; count: number }[] = [];
      for (let from = after; ; ) {
        const page =
          from < until
            ? await pageWithRows(from, options)
            : await context.store().readCommittedPage(from, options);
        pages.push({ scanned: page.scanned, end: page.end, count: page.events.length });
        events.push(...page.events);
        if (page.end === null) return { events, pages, end: from };
        expect(page.end > from).toBe(true);
        expect(page.scanned).toBeGreaterThan(0);
        expect(page.scanned).toBeLessThanOrEqual(options.limit);
        from = page.end;
      }
    }

    /** The page after `after` where committed rows are known to follow it (see readToEnd). */
    async function pageWithRows(after: Position, options: CommittedPageOptions) {
      for (;;) {
        const page = await context.store().readCommittedPage(after, options);
        if (page.end !== null) return page;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    it('given appends to several streams, when reading pages of 2, then the matching events come in global order and each page ends past its last row', async () => {
      const store = context.store();
      const category = uniqueCategory();
      const type = `${category}Numbered`;
      const start = await store.headPosition();
      const results = [
        await store.append(`${category}-1`, numberedEvents(2, 1, type)),
        await store.append(`${category}-2`, numberedEvents(1, 3, type)),
        await store.append(`${category}-1`, numberedEvents(2, 4, type)),
      ];
      const { events } = await readToEnd(
        start,
        { limit: 2, types: [type] },
        results.at(-1)!.position,
      );
      expect(events.map((event) => event.position)).toEqual(
        results.flatMap((result) => result.positions),
      );
      expect(events.map((event) => event.data)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
      const first = await pageWithRows(start, { limit: 2, types: [type] });
      expect(first.scanned).toBe(2);
      expect(first.end).toBe(results[0]!.positions[1]);
    });

    it('given only events of other types, when reading a page, then it returns none but its end moves past them', async () => {
      const store = context.store();
      const category = uniqueCategory();
      const start = await store.headPosition();
      const skipped = await store.append(`${category}-1`, numberedEvents(3, 1, `${category}Other`));
      const page = await pageWithRows(start, { limit: 3, types: [`${category}Wanted`] });
      expect(page).toEqual({ events: [], scanned: 3, end: skipped.position });
      const wanted = await store.append(`${category}-1`, numberedEvents(1, 4, `${category}Wanted`));
      const next = await pageWithRows(page.end!, {
        limit: 3,
        types: [`${category}Wanted`],
      });
      expect(next.events.map((event) => event.position)).toEqual([wanted.position]);
      expect(next.end).toBe(wanted.position);
    });

    it('given events of two types, when reading with types null, then every type comes; with [] none does, and the end still moves', async () => {
      const store = context.store();
      const category = uniqueCategory();
      const start = await store.headPosition();
      const result = await store.append(`${category}-1`, [
        { type: `${category}A`, data: { n: 1 } },
        { type: `${category}B`, data: { n: 2 } },
      ]);
      const all = await readToEnd(start, { limit: 10, types: null }, result.position);
      const ours = all.events.filter((event) => event.stream === `${category}-1`);
      expect(ours.map((event) => event.type)).toEqual([`${category}A`, `${category}B`]);
      expect(ours.map((event) => event.position)).toEqual(result.positions);
      const none = await readToEnd(start, { limit: 10, types: [] }, result.position);
      expect(none.events).toEqual([]);
      expect(none.end >= result.position).toBe(true);
    });

    it('given 12 streams, when reading 3 partitions, then they are disjoint, cover every event, and keep each stream in one partition, in order', async () => {
      const store = context.store();
      const category = uniqueCategory();
      const type = `${category}Numbered`;
      const start = await store.headPosition();
      const appended: Position[] = [];
      for (let round = 1; round <= 3; round++) {
        for (let stream = 0; stream < 12; stream++) {
          const result = await store.append(
            `${category}-${stream}`,
            numberedEvents(1, round, type),
          );
          appended.push(result.position);
        }
      }
      const byPartition = await Promise.all(
        [0, 1, 2].map(
          async (index) =>
            (
              await readToEnd(
                start,
                { limit: 5, types: [type], partition: { count: 3, index } },
                appended.at(-1)!,
              )
            ).events,
        ),
      );
      const positions = byPartition.flat().map((event) => event.position);
      expect(new Set(positions).size).toBe(positions.length);
      expect([...positions].sort()).toEqual([...appended].sort());
      const home = new Map<string, number>();
      for (const [index, events] of byPartition.entries()) {
        for (const event of events) {
          expect(home.get(event.stream) ?? index).toBe(index);
          home.set(event.stream, index);
        }
        for (let stream = 0; stream < 12; stream++) {
          const versions = events
            .filter((event) => event.stream === `${category}-${stream}`)
            .map((event) => event.streamVersion);
          expect(versions).toEqual([...versions].sort((a, b) => a - b));
        }
      }
      const single = await readToEnd(
        start,
        { limit: 5, types: [type], partition: { count: 1, index: 0 } },
        appended.at(-1)!,
      );
      expect(single.events.map((event) => event.position)).toEqual(appended);
    });

    it('given bad options, when reading a page, then it throws ValidationError', async () => {
      const store = context.store();
      const start = await store.headPosition();
      for (const options of [
        { limit: 0, types: null },
        { limit: 10, types: null, partition: { count: 2, index: 2 } },
        { limit: 10, types: null, partition: { count: 0, index: 0 } },
      ]) {
        expect(await rejectionOf(store.readCommittedPage(start, options))).toBeInstanceOf(
          ValidationError,
        );
      }
    });

    race(
      'given writers appending while a reader pages, then the reader sees every event exactly once, in position order',
      async () => {
        const store = context.store();
        const category = uniqueCategory();
        const type = `${category}Numbered`;
        const start = await store.headPosition();
        let finished = false;
        let top = start;
        const writes = Promise.all(
          Array.from({ length: 6 }, async (_, writer) => {
            for (let n = 0; n < 10; n++) {
              const { position } = await store.append(
                `${category}-${writer}`,
                numberedEvents(1, n, type),
              );
              if (position > top) top = position;
            }
          }),
        ).finally(() => {
          finished = true;
        });
        const seen: string[] = [];
        let after = start;
        // Page on from `end` while writers run, as a processor does; once they are done,
        // read until a page past the last append covers nothing.
        for (let last = false; ; ) {
          const page = await store.readCommittedPage(after, { limit: 4, types: [type] });
          for (const event of page.events) {
            expect(event.position > after).toBe(true);
            seen.push(event.id);
            after = event.position;
          }
          if (page.end !== null) after = page.end;
          else if (last && after >= top) break;
          else {
            last = finished;
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        }
        await writes;
        expect(seen).toHaveLength(60);
        expect(new Set(seen).size).toBe(60);
      },
    );
  });

  describe('commits (the commit signal)', () => {
    it('given a reader waiting on the signal, when an append commits, then the wait resolves and the notified head reaches it', async () => {
      const store = context.store();
      await store.commits.start();
      const seen = store.commits.generation;
      const waiting = store.commits.wait(seen, 30_000);
      const result = await store.append(`${uniqueCategory()}-1`, numberedEvents(1));
      await within(waiting, 10_000, 'the commit signal after an append');
      expect(store.commits.generation).toBeGreaterThan(seen);
      await within(
        (async () => {
          while (store.commits.notifiedHead < result.position) {
            await store.commits.wait(store.commits.generation, 50);
          }
        })(),
        10_000,
        'the notified head to reach the append',
      );
    });

    it('given no commits, when waiting, then it resolves at the timeout, and at once on an aborted signal or an old generation', async () => {
      const store = context.store();
      await store.commits.start();
      const started = performance.now();
      await within(store.commits.wait(store.commits.generation, 50), 5_000, 'the timeout');
      expect(performance.now() - started).toBeGreaterThanOrEqual(40);
      await within(
        store.commits.wait(store.commits.generation, 60_000, AbortSignal.abort()),
        1_000,
        'an aborted wait',
      );
      await within(
        store.commits.wait(store.commits.generation - 1, 60_000),
        1_000,
        'a wait on an old generation',
      );
    });
  });
}
