import type { RebuildRequests } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

const POLL_MS = 200;

/**
 * Asks the runner that works `name` to rebuild it and waits until that runner has reset
 * the read model ('taken'), or `pickupMs` passed without a runner taking it: then the
 * request is withdrawn ('unserved') and the caller rebuilds it itself. A runner that
 * could not perform it is exit 6 with its reason.
 */
export async function requestRebuild(
  requests: RebuildRequests,
  name: string,
  options: { readonly signal: AbortSignal; readonly pickupMs: number },
): Promise<{ readonly outcome: 'taken'; readonly by: string } | { readonly outcome: 'unserved' }> {
  const { id } = await requests.request(name);
  const deadline = Date.now() + options.pickupMs;
  for (;;) {
    const request = await requests.get(id);
    if (request === null) return { outcome: 'unserved' }; // withdrawn by someone else
    if (request.state === 'done') return { outcome: 'taken', by: request.doneBy ?? '?' };
    if (request.state === 'failed') {
      throw new CliError(
        ExitCode.incomplete,
        `the runner ${request.doneBy ?? ''} could not rebuild ${name}: ${request.error ?? 'unknown error'}`,
        'see: duet projections status',
      );
    }
    const late = Date.now() >= deadline;
    if ((late || options.signal.aborted) && (await requests.withdraw(id))) {
      if (options.signal.aborted) {
        throw new CliError(
          ExitCode.interrupted,
          `rebuild of ${name} interrupted`,
          'nothing changed',
        );
      }
      return { outcome: 'unserved' };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
