import type { ConsoleViewer } from '../access/console-access.ts';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { ConsoleActionTaken } from './console-action-taken.ts';

/** What the console did for whom, as the audit event records it. */
export interface ConsoleAction {
  /** e.g. 'rebuild', 'retry-dead-letter'. */
  readonly action: string;
  /** What it acted on, e.g. { service: 'orders', processor: 'order_list' }. */
  readonly target: Readonly<Record<string, string>>;
  readonly outcome: 'done' | 'failed';
  readonly detail?: string;
}

/**
 * Appends `ConsoleActionTaken` to the audit stream of the day, with the principal as the
 * event's actor: who rebuilt, retried or skipped what, when, and whether it worked.
 *
 * @example
 * await recordAudit(options, viewer, { action: 'rebuild', target: { processor }, outcome: 'done' });
 */
export async function recordAudit(
  options: ResolvedConsoleOptions,
  viewer: ConsoleViewer,
  action: ConsoleAction,
): Promise<void> {
  const { principal } = viewer;
  await options.audit.store.store.append(options.audit.stream(options.now()), [
    {
      ...ConsoleActionTaken.create({ ...action, roles: principal.roles }),
      metadata: {
        actor: principal.id,
        ...(principal.tenant === undefined ? {} : { tenant: principal.tenant }),
      },
    },
  ]);
}
