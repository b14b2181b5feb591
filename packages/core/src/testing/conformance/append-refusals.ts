import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/validation-error.ts';
import type { NewEvent } from '../../event-store/recorded-event.ts';
import { isStreamName } from '../../event-store/stream-name.ts';
import {
  type ConformanceContext,
  collect,
  rejectionOf,
  uniqueStream,
} from './conformance-context.ts';

const id = '018f2b6e-7d1a-7c3e-9b2a-4f5e6d7c8b9a';

/**
 * Input that every store refuses in the same way, whatever it could physically store.
 * The in-memory store once kept a NUL character that PostgreSQL refused, and PostgreSQL
 * once kept a numeric `metadata.timestamp` that the in-memory store refused (issue #6):
 * each case here is one such drift, so a user's in-memory unit test fails where
 * production would.
 */
export function describeAppendRefusals(context: ConformanceContext): void {
  describe('append: the same refusals on every store', () => {
    const cases: [string, (stream: string) => [string, NewEvent[]]][] = [
      ['a metadata.timestamp that is not a string', (s) => [s, [withMetadata({ timestamp: 1 })]]],
      ['metadata that is not an object', (s) => [s, [withMetadata('x')]]],
      ['metadata that is an array', (s) => [s, [withMetadata([])]]],
      ['data with a NUL character', (s) => [s, [{ type: 'X', data: 'nul \u0000 inside' }]]],
      ['data with an unpaired surrogate', (s) => [s, [{ type: 'X', data: 'lone \ud800' }]]],
      ['metadata with a NUL character', (s) => [s, [withMetadata({ note: 'a\u0000b' })]]],
      ['a type with a NUL character', (s) => [s, [{ type: 'X\u0000', data: {} }]]],
      ['the same id twice in one append', (s) => [s, [event(id), event(id.toUpperCase())]]],
      ['a stream name of 501 characters', () => ['x'.repeat(501), [{ type: 'X', data: {} }]]],
      ['a stream name with a NUL character', (s) => [`${s}\u0000`, [{ type: 'X', data: {} }]]],
    ];

    it.each(cases)(
      'given %s, when appending, then ValidationError and nothing is stored',
      async (_, make) => {
        const [stream, events] = make(uniqueStream());
        const error = await rejectionOf(context.store().append(stream, events));
        expect(error).toBeInstanceOf(ValidationError);
        if (isStreamName(stream)) expect(await context.store().streamInfo(stream)).toBeNull();
      },
    );

    it.each([
      ['an empty name', ''],
      ['a name of 501 characters', 'x'.repeat(501)],
      ['a name with a NUL character', 'a-\u0000'],
      ['a name with an unpaired surrogate', 'a-\ud800'],
    ])('given %s, when reading the stream or its info, then ValidationError', async (_, stream) => {
      const store = context.store();
      expect(await rejectionOf(store.streamInfo(stream))).toBeInstanceOf(ValidationError);
      expect(await rejectionOf(collect(store.readStream(stream)))).toBeInstanceOf(ValidationError);
    });

    it('given a string metadata.timestamp, when reading, then it is kept as given', async () => {
      const stream = uniqueStream();
      const timestamp = '2020-01-02T03:04:05.000Z';
      await context.store().append(stream, [withMetadata({ timestamp })]);
      const [read] = await collect(context.store().readStream(stream));
      expect(read?.metadata.timestamp).toBe(timestamp);
    });

    it('given text that only mentions \\u0000, when appending, then it is stored as written', async () => {
      const stream = uniqueStream();
      await context.store().append(stream, [{ type: 'X', data: 'a backslash: \\u0000' }]);
      const [read] = await collect(context.store().readStream(stream));
      expect(read?.data).toBe('a backslash: \\u0000');
    });
  });
}

function withMetadata(metadata: unknown): NewEvent {
  return { type: 'X', data: {}, metadata: metadata as NonNullable<NewEvent['metadata']> };
}

function event(eventId: string): NewEvent {
  return { id: eventId, type: 'X', data: {} };
}
