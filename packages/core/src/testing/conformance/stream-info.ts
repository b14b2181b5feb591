import { describe, expect, it } from 'vitest';
import { START_POSITION } from '../../event-store/position.ts';
import { type ConformanceContext, numberedEvents, uniqueStream } from './conformance-context.ts';

/** `streamInfo` and `headPosition` follow appends. */
export function describeStreamInfo(context: ConformanceContext): void {
  describe('streamInfo and headPosition', () => {
    it('given a stream that does not exist, when asking for its info, then null', async () => {
      expect(await context.store().streamInfo(uniqueStream())).toBeNull();
    });

    it('given two appends, when asking for stream info, then version, last position and times are set', async () => {
      const stream = uniqueStream();
      await context.store().append(stream, numberedEvents(2));
      const last = await context.store().append(stream, numberedEvents(3, 3));
      const info = await context.store().streamInfo(stream);
      expect(info).toMatchObject({ stream, version: 5, position: last.position });
      expect(Number.isNaN(Date.parse(info!.createdAt))).toBe(false);
      expect(Date.parse(info!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(info!.createdAt));
    });

    it('given an append, when asking for the head position, then it is at or after that append', async () => {
      const before = await context.store().headPosition();
      const result = await context.store().append(uniqueStream(), numberedEvents(2));
      const head = await context.store().headPosition();
      expect(head >= result.position).toBe(true);
      expect(head > before).toBe(true);
      expect(head > START_POSITION).toBe(true);
    });
  });
}
