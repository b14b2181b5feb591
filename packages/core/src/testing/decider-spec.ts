import { AssertionError, deepStrictEqual } from 'node:assert';
import { type Decider, type DecisionContext, foldEvents } from '../decider/decider.ts';
import type { Message } from '../messages/message.ts';

/** A class of errors: `DomainError`, `ConcurrencyError`, `TypeError`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * What a failing command should throw: an error class, an error equal to the one expected
 * (same class, message and own fields), or a predicate that returns true for it.
 */
export type ExpectedError = ErrorClass | Error | ((error: unknown) => boolean);

/** The last step of a spec: what the command should produce. */
export interface DeciderSpecThen<S, E extends Message> {
  /**
   * Asserts the command produced exactly these events (in order), or threw the error
   * described. Throws an `AssertionError` with a diff otherwise.
   */
  then(expected: E | readonly E[] | ExpectedError): void;
  /** Asserts the state after the given events and the command's events equals `expected`. */
  thenState(expected: S): void;
}

/** The command step of a spec. */
export interface DeciderSpecWhen<C extends Message, S, E extends Message> {
  /** The command, and who sends it (default: no actor, no roles). */
  when(command: C, context?: DecisionContext): DeciderSpecThen<S, E>;
}

/** The start of a spec: the history of the stream. */
export interface DeciderSpec<C extends Message, S, E extends Message> {
  /** The stream's events before the command; `[]` is a new stream. */
  given(events: readonly E[]): DeciderSpecWhen<C, S, E>;
}

/**
 * Given/when/then for a decider, for any test runner: failures are `node:assert`
 * `AssertionError`s with the expected and actual values, which runners show as a diff.
 *
 * @example
 * deciderSpec(orderDecider).given([itemAdded]).when(placeOrder).then([orderPlaced]);
 * deciderSpec(orderDecider).given([]).when(placeOrder).then(DomainError);
 */
export function deciderSpec<C extends Message, S, E extends Message>(
  decider: Decider<C, S, E>,
): DeciderSpec<C, S, E> {
  return {
    given: (history) => ({
      when: (command, context = { roles: [] }) => {
        const run = (): { events: readonly E[]; state: S } | { error: unknown } => {
          const state = foldEvents(decider, history);
          let decided: E | readonly E[];
          try {
            decided = decider.decide(command, state, context);
          } catch (error) {
            return { error };
          }
          const events = toList(decided);
          return { events, state: foldEvents(decider, events, state) };
        };
        return {
          // biome-ignore lint/suspicious/noThenProperty: the kit's vocabulary is given/when/then.
          then(expected, ...awaited: unknown[]) {
            // `await spec.when(c)` calls then(resolve, reject): say what went wrong instead.
            const reject = awaited[0];
            if (typeof reject === 'function') {
              reject(new TypeError('a decider spec is not a promise: end it with .then(expected)'));
              return;
            }
            const outcome = run();
            if (isExpectedError(expected)) {
              if ('error' in outcome) return assertError(outcome.error, expected, command);
              throw new AssertionError({
                message: `expected ${command.type} to throw ${describe(expected)}, but it produced events`,
                actual: outcome.events,
                expected,
                operator: 'throws',
              });
            }
            const events = 'error' in outcome ? unexpected(outcome.error, command) : outcome.events;
            deepStrictEqual(events, toList(expected), `events produced by ${command.type}`);
          },
          thenState(expected) {
            const outcome = run();
            const state = 'error' in outcome ? unexpected(outcome.error, command) : outcome.state;
            deepStrictEqual(state, expected, `state after ${command.type}`);
          },
        };
      },
    }),
  };
}

function toList<E extends Message>(value: E | readonly E[]): readonly E[] {
  return Array.isArray(value) ? (value as readonly E[]) : [value as E];
}

function isExpectedError(value: unknown): value is ExpectedError {
  return typeof value === 'function' || value instanceof Error;
}

function isErrorClass(value: ExpectedError): value is ErrorClass {
  return typeof value === 'function' && (value === Error || value.prototype instanceof Error);
}

function assertError(actual: unknown, expected: ExpectedError, command: Message): void {
  const fail = (why: string): never => {
    throw new AssertionError({
      message: `${command.type} threw, but ${why}`,
      actual,
      expected,
      operator: 'throws',
    });
  };
  if (isErrorClass(expected)) {
    if (!(actual instanceof expected)) fail(`not a ${expected.name}`);
    return;
  }
  if (expected instanceof Error) {
    if (!(actual instanceof Error) || actual.constructor !== expected.constructor) {
      fail(`not a ${expected.constructor.name}`);
    }
    // Own fields hold what callers act on (a DomainError's rule and details, codes).
    deepStrictEqual(
      { ...(actual as object), message: (actual as Error).message },
      { ...expected, message: expected.message },
      `error thrown by ${command.type}`,
    );
    return;
  }
  if (!expected(actual)) fail('the predicate returned false for the error');
}

function unexpected(error: unknown, command: Message): never {
  throw new AssertionError({
    message: `expected ${command.type} to succeed, but it threw ${describe(error)}`,
    actual: error,
    expected: 'no error',
    operator: 'doesNotThrow',
  });
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'function') return value.name || 'a matching error';
  return String(value);
}
