import { describe, expect, it } from 'vitest';
import { LimitExceededError } from '../errors/limit-exceeded-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { type AppendLimits, checkAppend, DEFAULT_APPEND_LIMITS } from './append-limits.ts';
import type { NewEvent } from './recorded-event.ts';

const event = (data: unknown = { a: 1 }): NewEvent => ({ type: 'Happened', data });
const small: AppendLimits = { maxEventBytes: 100, maxAppendBytes: 150, maxEventsPerAppend: 3 };

describe('checkAppend', () => {
  it('given good events, when checked, then each comes back as JSON', () => {
    const checked = checkAppend('s-1', [
      event(),
      { type: 'Other', data: null, metadata: { actor: 'u' } },
    ]);
    expect(checked).toEqual([
      { data: '{"a":1}', metadata: '{}' },
      { data: 'null', metadata: '{"actor":"u"}' },
    ]);
  });

  it('given no events, when checked, then ValidationError', () => {
    expect(() => checkAppend('s-1', [])).toThrow(ValidationError);
    expect(() => checkAppend('s-1', [])).toThrow('no events to append');
  });

  it.each(['', 'x'.repeat(501), 42])(
    'given stream name %j, when checked, then ValidationError',
    (name) => {
      expect(() => checkAppend(name as string, [event()])).toThrow(ValidationError);
    },
  );

  it('given an event without a type, when checked, then ValidationError points at it', () => {
    const error = catching(() => checkAppend('s-1', [event(), { type: '', data: 1 }]));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual([1, 'type']);
  });

  it('given BigInt data, when checked, then ValidationError points at the data', () => {
    const error = catching(() => checkAppend('s-1', [event({ amount: 10n })]));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual([0, 'data']);
  });

  it('given cyclic metadata, when checked, then ValidationError points at the metadata', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = catching(() => checkAppend('s-1', [{ type: 'T', data: 1, metadata: cyclic }]));
    expect((error as ValidationError).issues[0]?.path).toEqual([0, 'metadata']);
  });

  it('given too many events, when checked, then LimitExceededError', () => {
    const error = catching(() => checkAppend('s-1', [event(), event(), event(), event()], small));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ max: 3, actual: 4 });
  });

  it('given one event over the size limit, when checked, then LimitExceededError', () => {
    const error = catching(() => checkAppend('s-1', [event('x'.repeat(200))], small));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).limit).toContain('size of event 0');
  });

  it('given events that are small alone but large together, when checked, then LimitExceededError', () => {
    const error = catching(() =>
      checkAppend(
        's-1',
        [event('x'.repeat(60)), event('x'.repeat(60)), event('x'.repeat(60))],
        small,
      ),
    );
    expect(error).toMatchObject({ limit: 'size of append', max: 150 });
  });

  it('given the defaults, when read, then they are 1 MiB, 16 MiB and 10,000 events', () => {
    expect(DEFAULT_APPEND_LIMITS).toEqual({
      maxEventBytes: 1_048_576,
      maxAppendBytes: 16_777_216,
      maxEventsPerAppend: 10_000,
    });
  });
});

function catching(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
