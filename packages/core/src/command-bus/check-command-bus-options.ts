import { ValidationError } from '../errors/validation-error.ts';
import type { CommandDefinition } from '../messages/define-command.ts';
import type { CommandBusOptions, CommandHandler } from './command-bus.ts';

/** Where the bus sends one command type: its handler and its definition (for the schema). */
export interface CommandRoute {
  readonly handler: CommandHandler;
  readonly definition: CommandDefinition;
}

/**
 * Checks `createCommandBus` options and routes each command type to its handler. Throws a
 * `ValidationError` whose subject names the option to fix (`option maxAttempts`).
 *
 * @example
 * const byType = checkCommandBusOptions({ store, handlers: [orders] });
 */
export function checkCommandBusOptions(options: CommandBusOptions): Map<string, CommandRoute> {
  if (typeof options !== 'object' || options === null) {
    throw fail('options', [], 'expected an object');
  }
  const { store, snapshots, maxAttempts, middleware, newId, policies, onSnapshotError, now } =
    options;
  for (const method of ['append', 'readStream', 'streamInfo'] as const) {
    if (typeof store?.[method] !== 'function') {
      throw fail('store', [method], 'expected an EventStore with this method');
    }
  }
  if (snapshots !== undefined) {
    for (const method of ['load', 'save'] as const) {
      if (typeof snapshots?.[method] !== 'function') {
        throw fail('snapshots', [method], 'expected a SnapshotStore with this method');
      }
    }
  }
  if (maxAttempts !== undefined && (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)) {
    throw fail('maxAttempts', [], `expected a whole number >= 1, got ${String(maxAttempts)}`);
  }
  if (middleware !== undefined) {
    if (!Array.isArray(middleware)) throw fail('middleware', [], 'expected an array');
    middleware.forEach((entry, index) => {
      if (typeof entry !== 'function') throw fail('middleware', [index], 'expected a function');
    });
  }
  const functions = { newId, onSnapshotError, now };
  for (const [name, value] of Object.entries(functions)) {
    if (value !== undefined && typeof value !== 'function') {
      throw fail(name, [], 'expected a function');
    }
  }
  const byType = indexHandlers(options.handlers);
  if (policies !== undefined) {
    if (typeof policies !== 'object' || policies === null) {
      throw fail('policies', [], 'expected an object of policies by command type');
    }
    for (const [type, policy] of Object.entries(policies)) {
      if (typeof policy !== 'function') throw fail('policies', [type], 'expected a function');
      // A policy for a type nothing handles is most likely a typo that would guard nothing.
      if (!byType.has(type)) throw fail('policies', [type], 'no handler takes this command type');
    }
  }
  return byType;
}

function indexHandlers(handlers: readonly CommandHandler[]): Map<string, CommandRoute> {
  if (!Array.isArray(handlers) || handlers.length === 0) {
    throw fail('handlers', [], 'expected at least one handler made by defineCommandHandler');
  }
  const byType = new Map<string, CommandRoute>();
  const owner = new Map<string, number>();
  handlers.forEach((handler, index) => {
    if (handler?.kind !== 'command-handler') {
      throw fail('handlers', [index], 'expected a handler made by defineCommandHandler');
    }
    for (const definition of handler.commands) {
      const first = owner.get(definition.type);
      if (first !== undefined) {
        throw fail(
          'handlers',
          [index],
          `command type ${definition.type} is already handled by handlers[${first}]`,
        );
      }
      owner.set(definition.type, index);
      byType.set(definition.type, { handler, definition });
    }
  });
  return byType;
}

function fail(option: string, path: (string | number)[], message: string): ValidationError {
  return new ValidationError(`option ${option}`, [{ path, message }]);
}
