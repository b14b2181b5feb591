import { describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../errors/concurrency-error.ts';
import { LimitExceededError } from '../../errors/limit-exceeded-error.ts';
import { ValidationError } from '../../errors/validation-error.ts';
import type { ExpectedVersion } from '../../event-store/expected-version.ts';
import {
  type ConformanceContext,
  collect,
  numberedEvents,
  rejectionOf,
  uniqueStream,
} from './conformance-context.ts';

/** Bad appends fail with a typed error and store nothing: all or none. */
export function describeAppendValidation(context: ConformanceContext): void {
  describe('append: validation, limits and atomicity', () => {
    async function expectNothingStored(stream: string): Promise<void> {
      expect(await context.store().streamInfo(stream)).toBeNull();
      expect(await collect(context.store().readStream(stream))).toEqual([]);
    }

    it('given no events, when appending, then ValidationError and the stream does not exist', async () => {
      const stream = uniqueStream();
      const error = await rejectionOf(context.store().append(stream, []));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'VALIDATION' });
      await expectNothingStored(stream);
    });

    it('given an empty stream name, when appending, then ValidationError', async () => {
      expect(await rejectionOf(context.store().append('', numberedEvents(1)))).toBeInstanceOf(
        ValidationError,
      );
    });

    it('given an event without a type, when appending, then ValidationError and nothing is stored', async () => {
      const stream = uniqueStream();
      const events = [...numberedEvents(1), { type: '', data: {} }];
      expect(await rejectionOf(context.store().append(stream, events))).toBeInstanceOf(
        ValidationError,
      );
      await expectNothingStored(stream);
    });

    it('given an event id that is not a UUID, when appending, then ValidationError and nothing is stored', async () => {
      const stream = uniqueStream();
      const events = [{ id: 'not-a-uuid', type: 'Numbered', data: {} }];
      expect(await rejectionOf(context.store().append(stream, events))).toBeInstanceOf(
        ValidationError,
      );
      await expectNothingStored(stream);
    });

    it('given an invalid expected version, when appending, then ValidationError', async () => {
      const stream = uniqueStream();
      const expectedVersion = -1 as ExpectedVersion;
      const error = await rejectionOf(
        context.store().append(stream, numberedEvents(1), { expectedVersion }),
      );
      expect(error).toBeInstanceOf(ValidationError);
      await expectNothingStored(stream);
    });

    it('given an event over the default 1 MiB limit, when appending, then LimitExceededError and nothing is stored', async () => {
      const stream = uniqueStream();
      const big = { type: 'Big', data: { text: 'x'.repeat(1024 * 1024 + 1) } };
      const error = await rejectionOf(context.store().append(stream, [...numberedEvents(1), big]));
      expect(error).toBeInstanceOf(LimitExceededError);
      expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', max: 1024 * 1024 });
      await expectNothingStored(stream);
    });

    it('given a multi-event append whose last event cannot be serialized, when appending, then nothing of it is stored', async () => {
      const stream = uniqueStream();
      await context.store().append(stream, numberedEvents(2));
      const events = [...numberedEvents(2, 3), { type: 'Bad', data: { big: 1n } }];
      expect(await rejectionOf(context.store().append(stream, events))).toBeInstanceOf(
        ValidationError,
      );
      expect(await collect(context.store().readStream(stream))).toHaveLength(2);
      expect((await context.store().streamInfo(stream))?.version).toBe(2);
    });

    it('given a multi-event append with a stale expected version, when appending, then nothing of it is stored', async () => {
      const stream = uniqueStream();
      await context.store().append(stream, numberedEvents(3));
      const error = await rejectionOf(
        context.store().append(stream, numberedEvents(5, 4), { expectedVersion: 2 }),
      );
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(await collect(context.store().readStream(stream))).toHaveLength(3);
      // The stream still accepts the right expected version afterwards.
      const result = await context.store().append(stream, numberedEvents(1, 4), {
        expectedVersion: 3,
      });
      expect(result.streamVersion).toBe(4);
    });
  });
}
