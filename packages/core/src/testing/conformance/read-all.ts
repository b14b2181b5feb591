import { describe, expect, it } from 'vitest';
import { comparePositions, isPosition, type Position } from '../../event-store/position.ts';
import type { RecordedEvent } from '../../event-store/recorded-event.ts';
import {
  type ConformanceContext,
  collect,
  numberedEvents,
  uniqueCategory,
} from './conformance-context.ts';

/** Global order: strictly increasing positions, resumable, filtered, paged without gaps. */
export function describeReadAll(context: ConformanceContext): void {
  describe('readAll', () => {
    /**
     * Appends `count` events one append at a time over three streams of a new category,
     * alternating two types, and returns them as `stream:n` labels in append order.
     */
    async function interleaved(count: number): Promise<{ category: string; order: string[] }> {
      const category = uniqueCategory();
      const order: string[] = [];
      for (let n = 1; n <= count; n++) {
        const stream = `${category}-${n % 3}`;
        const type = n % 2 === 0 ? 'Even' : 'Odd';
        await context.store().append(stream, [{ type, data: { n } }]);
        order.push(`${stream}:${n}`);
      }
      return { category, order };
    }

    const labels = (events: readonly RecordedEvent[]) =>
      events.map((event) => `${event.stream}:${(event.data as { n: number }).n}`);

    function expectStrictlyIncreasing(positions: readonly Position[]): void {
      for (const [index, position] of positions.entries()) {
        expect(isPosition(position)).toBe(true);
        const previous = positions[index - 1];
        if (previous === undefined) continue;
        expect(comparePositions(previous, position)).toBe(-1);
        expect(previous < position).toBe(true);
      }
    }

    it('given sequential appends, when reading a category, then events come in append order with strictly increasing positions', async () => {
      const { category, order } = await interleaved(12);
      const events = await collect(context.store().readAll({ category }));
      expect(labels(events)).toEqual(order);
      expectStrictlyIncreasing(events.map((event) => event.position));
    });

    it('given a multi-event append, when reading all, then its events are adjacent and in order', async () => {
      const category = uniqueCategory();
      const result = await context.store().append(`${category}-1`, numberedEvents(5));
      const events = await collect(context.store().readAll({ category }));
      expect(events.map((event) => event.position)).toEqual(result.positions);
      expectStrictlyIncreasing(result.positions);
    });

    for (const pageSize of [1, 2, 5, 7]) {
      it(`given 23 events, when reading all in pages of ${pageSize}, then nothing is skipped or repeated at page borders`, async () => {
        const { category, order } = await interleaved(23);
        const events = await collect(context.store().readAll({ category, pageSize }));
        expect(labels(events)).toEqual(order);
      });
    }

    it('given a position in the middle, when reading after it, then exactly the later events come, across pages', async () => {
      const { category, order } = await interleaved(15);
      const all = await collect(context.store().readAll({ category }));
      const after = all[9]!.position;
      const rest = await collect(context.store().readAll({ category, after, pageSize: 2 }));
      expect(labels(rest)).toEqual(order.slice(10));
      expect(rest.every((event) => event.position > after)).toBe(true);
    });

    it('given the last position, when reading after it, then nothing comes', async () => {
      const { category } = await interleaved(3);
      const all = await collect(context.store().readAll({ category }));
      expect(await collect(context.store().readAll({ category, after: all[2]!.position }))).toEqual(
        [],
      );
    });

    it('given events of two types, when filtering by type, then only those come, in order', async () => {
      const { category, order } = await interleaved(10);
      const events = await collect(
        context.store().readAll({ category, types: ['Even'], pageSize: 2 }),
      );
      expect(events.every((event) => event.type === 'Even')).toBe(true);
      expect(labels(events)).toEqual(order.filter((_, index) => (index + 1) % 2 === 0));
    });

    it('given two categories, when filtering by one, then the other never appears', async () => {
      const first = uniqueCategory();
      const second = uniqueCategory();
      await context.store().append(`${first}-1`, numberedEvents(2));
      await context.store().append(`${second}-1`, numberedEvents(3));
      await context.store().append(`${first}-2`, numberedEvents(1));
      const events = await collect(context.store().readAll({ category: first }));
      expect(events.map((event) => event.stream)).toEqual([
        `${first}-1`,
        `${first}-1`,
        `${first}-2`,
      ]);
    });

    it('given many events, when reading with maxCount, then at most that many come, the earliest first', async () => {
      const { category, order } = await interleaved(9);
      const events = await collect(context.store().readAll({ category, maxCount: 4, pageSize: 3 }));
      expect(labels(events)).toEqual(order.slice(0, 4));
    });

    it('given no filter, when reading all after a recent position, then the new events come in order', async () => {
      const head = await context.store().headPosition();
      const { category, order } = await interleaved(4);
      const events = await collect(context.store().readAll({ after: head }));
      // Other tests of a shared database may write meanwhile; ours must come in our order.
      expect(labels(events.filter((event) => event.stream.startsWith(`${category}-`)))).toEqual(
        order,
      );
      expectStrictlyIncreasing(events.map((event) => event.position));
    });
  });
}
