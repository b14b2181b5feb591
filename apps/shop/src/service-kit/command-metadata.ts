import type { CommandContext, DecisionContext, EventMetadataInput } from '@duet/core';

/**
 * The metadata a command's events carry, as the command bus stamps it: a handler that
 * appends by itself (a command over two streams, or one that calls a gateway) keeps the
 * same trail, so correlation and causation read alike whoever appended.
 *
 * @example
 * const metadata = commandMetadata('RegisterCustomer', context, commandId);
 * await tx.append(stream, events.map((e) => ({ ...e, metadata })), { expectedVersion });
 */
export function commandMetadata(
  commandType: string,
  context: CommandContext,
  commandId: string,
): EventMetadataInput {
  return {
    correlationId: context.correlationId ?? commandId,
    causationId: commandId,
    commandId,
    commandType,
    ...(context.causationId === undefined ? {} : { commandCausationId: context.causationId }),
    ...(context.actor === undefined ? {} : { actor: context.actor }),
    ...(context.tenant === undefined ? {} : { tenant: context.tenant }),
  };
}

/**
 * The decider's view of a command's context: who asks, nothing else.
 *
 * @example
 * customerDecider.decide(command, state, decisionContextOf({ actor: 'ada', roles: ['customer'] }));
 */
export function decisionContextOf(context: CommandContext): DecisionContext {
  return {
    ...(context.actor === undefined ? {} : { actor: context.actor }),
    ...(context.tenant === undefined ? {} : { tenant: context.tenant }),
    roles: context.roles ?? [],
  };
}
