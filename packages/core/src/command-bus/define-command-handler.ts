import type { Decider } from '../decider/decider.ts';
import { ValidationError } from '../errors/validation-error.ts';
import type { CommandDefinition } from '../messages/define-command.ts';
import type { Message } from '../messages/message.ts';
import type { CommandHandler, CommandPolicy, SnapshotPolicy } from './command-bus.ts';

/** Options of `defineCommandHandler`. */
export interface CommandHandlerOptions<C extends Message, S, E extends Message> {
  readonly decider: Decider<C, S, E>;
  /** The definitions of the commands the decider takes; the bus validates with their schemas. */
  readonly commands: readonly CommandDefinition<C['type']>[];
  /** The stream a command is decided on, e.g. `(c) => streamName('order', c.data.orderId)`. */
  readonly stream: (command: C) => string;
  /** Who may send these commands. Default: everyone (the bus's `policies` may still refuse). */
  readonly authorize?: CommandPolicy<C>;
  /** Keep a snapshot every `every` versions, tagged with the state's shape `version`. */
  readonly snapshot?: SnapshotPolicy;
}

/**
 * Declares which commands a decider handles and which stream each one goes to. Checks
 * the definition at once, so a mistake fails at start-up.
 *
 * @example
 * const orders = defineCommandHandler({ decider: orderDecider, commands: [PlaceOrder, ConfirmOrder],
 *   stream: (command) => streamName('order', command.data.orderId) });
 */
export function defineCommandHandler<C extends Message, S, E extends Message>(
  options: CommandHandlerOptions<C, S, E>,
): CommandHandler<C, S, E> {
  const { decider, commands, stream, authorize, snapshot } = options;
  for (const member of ['initialState', 'evolve', 'decide'] as const) {
    if (typeof decider?.[member] !== 'function') {
      throw new ValidationError('option decider', [
        { path: [member], message: 'expected a function' },
      ]);
    }
  }
  checkCommands(commands);
  if (typeof stream !== 'function') {
    throw new ValidationError('option stream', [{ path: [], message: 'expected a function' }]);
  }
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new ValidationError('option authorize', [{ path: [], message: 'expected a function' }]);
  }
  if (snapshot !== undefined) checkSnapshot(snapshot);
  return {
    kind: 'command-handler',
    decider,
    commands,
    stream,
    ...(authorize === undefined ? {} : { authorize }),
    ...(snapshot === undefined ? {} : { snapshot }),
  };
}

function checkCommands(commands: readonly CommandDefinition[]): void {
  if (!Array.isArray(commands) || commands.length === 0) {
    throw new ValidationError('option commands', [
      { path: [], message: 'expected at least one command definition' },
    ]);
  }
  const seen = new Set<string>();
  commands.forEach((definition, index) => {
    if (definition?.kind !== 'command' || typeof definition.type !== 'string') {
      throw new ValidationError('option commands', [
        { path: [index], message: 'expected a definition made by defineCommand' },
      ]);
    }
    if (seen.has(definition.type)) {
      throw new ValidationError('option commands', [
        { path: [index], message: `${definition.type} is listed twice` },
      ]);
    }
    seen.add(definition.type);
  });
}

function checkSnapshot(snapshot: SnapshotPolicy): void {
  for (const key of ['version', 'every'] as const) {
    const value = snapshot?.[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ValidationError('option snapshot', [
        { path: [key], message: `expected a whole number >= 1, got ${String(value)}` },
      ]);
    }
  }
}
