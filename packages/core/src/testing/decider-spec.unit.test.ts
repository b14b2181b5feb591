import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import type { Decider } from '../decider/decider.ts';
import { DomainError } from '../errors/domain-error.ts';
import type { Message } from '../messages/message.ts';
import { deciderSpec } from './decider-spec.ts';

type Command = Message<'Add', { by: number }> | Message<'Reset', null>;
type Event = Message<'Added', { by: number }> | Message<'Cleared', null>;

const counter: Decider<Command, number, Event> = {
  initialState: () => 0,
  evolve: (n, event) => (event.type === 'Added' ? n + event.data.by : 0),
  decide(command, n) {
    if (command.type === 'Reset') return n === 0 ? [] : { type: 'Cleared', data: null };
    if (n + command.data.by > 10)
      throw new DomainError('TOO_BIG', `${n} + ${command.data.by} > 10`);
    return [{ type: 'Added', data: command.data }];
  },
};
const add = (by: number): Command => ({ type: 'Add', data: { by } });
const added = (by: number): Event => ({ type: 'Added', data: { by } });
const spec = deciderSpec(counter);

describe('deciderSpec', () => {
  it('given no events, when a command succeeds, then its events match', () => {
    spec
      .given([])
      .when(add(2))
      .then([added(2)]);
  });

  it('given history, when the command returns one event, then a single expected event matches', () => {
    spec
      .given([added(3)])
      .when({ type: 'Reset', data: null })
      .then({ type: 'Cleared', data: null });
  });

  it('given a new stream, when the command decides nothing, then [] matches', () => {
    spec.given([]).when({ type: 'Reset', data: null }).then([]);
  });

  it('given other events are expected, when compared, then an AssertionError shows both', () => {
    const error = catching(() =>
      spec
        .given([])
        .when(add(2))
        .then([added(3)]),
    );
    expect(error).toBeInstanceOf(AssertionError);
    expect(error).toMatchObject({ actual: [added(2)], expected: [added(3)] });
  });

  it('given a rule is broken, when an error class is expected, then it matches', () => {
    spec
      .given([added(9)])
      .when(add(2))
      .then(DomainError);
    spec
      .given([added(9)])
      .when(add(2))
      .then(Error);
  });

  it('given a rule is broken, when an equal error is expected, then class, message and fields match', () => {
    spec
      .given([added(9)])
      .when(add(2))
      .then(new DomainError('TOO_BIG', '9 + 2 > 10'));
    const error = catching(() =>
      spec
        .given([added(9)])
        .when(add(2))
        .then(new DomainError('OTHER_RULE', '9 + 2 > 10')),
    );
    expect(error).toBeInstanceOf(AssertionError);
    expect(String((error as Error).message)).toContain('OTHER_RULE');
  });

  it('given a rule is broken, when a predicate is expected, then it decides', () => {
    spec
      .given([added(9)])
      .when(add(2))
      .then((e) => e instanceof DomainError && e.rule === 'TOO_BIG');
    const error = catching(() =>
      spec
        .given([added(9)])
        .when(add(2))
        .then(() => false),
    );
    expect(error).toBeInstanceOf(AssertionError);
  });

  it('given another error class is expected, when it throws, then an AssertionError names it', () => {
    const error = catching(() =>
      spec
        .given([added(9)])
        .when(add(2))
        .then(RangeError),
    );
    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toContain('not a RangeError');
  });

  it('given an error is expected, when the command succeeds, then an AssertionError shows the events', () => {
    const error = catching(() => spec.given([]).when(add(1)).then(DomainError));
    expect(error).toBeInstanceOf(AssertionError);
    expect((error as AssertionError).actual).toEqual([added(1)]);
  });

  it('given events are expected, when the command throws, then an AssertionError names the error', () => {
    const error = catching(() =>
      spec
        .given([added(9)])
        .when(add(2))
        .then([added(2)]),
    );
    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toContain('DomainError: 9 + 2 > 10');
  });

  it('given history, when thenState is used, then the state after the new events is compared', () => {
    spec
      .given([added(1), added(2)])
      .when(add(3))
      .thenState(6);
    expect(catching(() => spec.given([]).when(add(3)).thenState(4))).toBeInstanceOf(AssertionError);
  });

  it('given a spec is awaited by mistake, when it settles, then it rejects with a hint', async () => {
    const pending = spec.given([]).when(add(1)) as unknown as PromiseLike<unknown>;
    await expect(pending).rejects.toThrow('not a promise');
  });
});

function catching(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the spec to fail');
}
