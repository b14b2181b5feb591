import { describe, expect, expectTypeOf, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import { createInMemoryEventStore } from '../in-memory/in-memory-event-store.ts';
import type { AppendResult, EventStore, StreamInfo } from './event-store.ts';
import type { RecordedEvent } from './recorded-event.ts';
import { isStreamName, type StreamName, streamName, toStreamName } from './stream-name.ts';

describe('StreamName', () => {
  it('given the store, then names come out branded and go in as plain strings', () => {
    expectTypeOf<RecordedEvent['stream']>().toEqualTypeOf<StreamName>();
    expectTypeOf<AppendResult['stream']>().toEqualTypeOf<StreamName>();
    expectTypeOf<StreamInfo['stream']>().toEqualTypeOf<StreamName>();
    expectTypeOf<Parameters<EventStore['append']>[0]>().toEqualTypeOf<string>();
    expectTypeOf<Parameters<EventStore['readStream']>[0]>().toEqualTypeOf<string>();
    expectTypeOf<Parameters<EventStore['streamInfo']>[0]>().toEqualTypeOf<string>();
  });

  it('given a plain string, then it is not a StreamName until checked', () => {
    expectTypeOf<string>().not.toExtend<StreamName>();
    expectTypeOf<StreamName>().toExtend<string>();
    expectTypeOf(streamName('order', 'a1')).toEqualTypeOf<StreamName>();
    expectTypeOf(toStreamName('order-a1')).toEqualTypeOf<StreamName>();
    // @ts-expect-error a bare string literal is not a StreamName
    const unchecked: StreamName = 'order-a1';
    expect(unchecked).toBe('order-a1');
  });

  it('given a name from streamName, then it is category-id', () => {
    expect(streamName('order', 'a1')).toBe('order-a1');
    expect(() => streamName('or-der', 'a1')).toThrow(TypeError);
  });

  it.each([[''], ['x'.repeat(501)], [42], [null]])(
    'given %j, when checked, then a ValidationError and no StreamName',
    (value) => {
      expect(isStreamName(value)).toBe(false);
      expect(() => toStreamName(value)).toThrow(ValidationError);
    },
  );

  it('given an append with a plain string, when it returns, then the names are the same text', async () => {
    const store = createInMemoryEventStore();
    const result = await store.append('cart-1', [{ type: 'Opened', data: {} }]);
    let event: RecordedEvent | undefined;
    for await (const read of store.readStream('cart-1')) event = read;
    const info = await store.streamInfo('cart-1');
    expect([result.stream, event?.stream, info?.stream]).toEqual(['cart-1', 'cart-1', 'cart-1']);
  });
});
