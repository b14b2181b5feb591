import type { CommandEnvelope, CommandMiddleware, CommandResult } from './command-bus.ts';

/**
 * Nests middleware around a final step, the first one outermost, koa-style. Calling
 * `next()` twice in one middleware is a bug and rejects, so a command is never run twice.
 *
 * @example
 * const run = composeMiddleware([logging, tracing], (envelope) => pipeline(envelope));
 * await run({ command, context });
 */
export function composeMiddleware(
  middleware: readonly CommandMiddleware[],
  last: (envelope: CommandEnvelope) => Promise<CommandResult>,
): (envelope: CommandEnvelope) => Promise<CommandResult> {
  return (envelope) => {
    let reached = -1;
    const dispatch = async (index: number): Promise<CommandResult> => {
      if (index <= reached) throw new Error('command middleware called next() more than once');
      reached = index;
      const current = middleware[index];
      if (current === undefined) return last(envelope);
      return current(envelope, () => dispatch(index + 1));
    };
    return dispatch(0);
  };
}
