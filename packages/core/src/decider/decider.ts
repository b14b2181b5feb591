import type { Message } from '../messages/message.ts';

/**
 * Who asks for a decision, from the authenticated principal (never from a command body):
 * a rule like "customers change only their own orders" needs it.
 */
export interface DecisionContext {
  readonly actor?: string;
  readonly tenant?: string;
  readonly roles: readonly string[];
}

/**
 * The write model of one kind of stream, as pure functions (no I/O, clocks or randomness:
 * pass those in through the command).
 *
 * @example
 * const counter: Decider<Increment, number, Incremented> = {
 *   initialState: () => 0,
 *   evolve: (n, event) => n + event.data.by,
 *   decide: (command) => [{ type: 'Incremented', data: { by: command.data.by } }],
 * };
 */
export interface Decider<Command extends Message, State, Event extends Message> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /**
   * The events a command produces in a state; throws a `DomainError` to refuse it. The
   * context says who asks (plain data, so `decide` stays pure).
   */
  decide(command: Command, state: State, context: DecisionContext): Event | readonly Event[];
}

/** Folds events into state from the decider's initial state. */
export function foldEvents<State, Event extends Message>(
  decider: Pick<Decider<Message, State, Event>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
  from: State = decider.initialState(),
): State {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
