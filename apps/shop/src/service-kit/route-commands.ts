import type { CommandBus, CommandContext, CommandResult } from '@duet/core';

/** A command the bus cannot decide alone (two streams, or a gateway call): it validates itself. */
export type OwnCommandHandler = (
  command: unknown,
  context: CommandContext,
) => Promise<CommandResult>;

/**
 * One `CommandBus` for the HTTP edge: the types in `own` go to their handlers, every other
 * type to `bus` (which validates, authorizes, decides and appends as usual, and refuses
 * types it does not know).
 *
 * @example
 * const commands = routeCommands(bus, { RegisterCustomer: registerCustomer });
 * await commands.send(RegisterCustomer.create({ ... }), { actor: 'ada', roles: ['customer'] });
 */
export function routeCommands(
  bus: CommandBus,
  own: Readonly<Record<string, OwnCommandHandler>>,
): CommandBus {
  return {
    send(command, context = {}) {
      const type = (command as { type?: unknown } | null)?.type;
      // Own properties only: a type named `constructor` must not find Object's.
      const handler = typeof type === 'string' && Object.hasOwn(own, type) ? own[type] : undefined;
      return handler ? handler(command, context) : bus.send(command, context);
    },
  };
}
