import type { ProjectionStatus } from '@duet/postgres';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';
import type { Progress } from '../output/progress-reporter.ts';

const POLL_MS = 250;

/** What to say when Ctrl-C stops the watch. */
export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly report: (progress: Progress) => void;
  /** The hint printed on Ctrl-C: who carries the rebuild on. */
  readonly interruptedHint: string;
}

/**
 * Polls status (the local runner's, or the one the owning runner records) until every
 * partition of the projection's active version is live with no lag, reporting progress;
 * a failed partition ends it with exit 6, and so does a paused projection (reset, it
 * waits for resume), Ctrl-C with exit 130.
 *
 * @example
 * const last = await followRebuild(() => reader.status(), 'order_history', { signal, report, interruptedHint });
 */
export async function followRebuild(
  statusOf: () => Promise<ProjectionStatus[]>,
  name: string,
  options: FollowOptions,
): Promise<ProjectionStatus[]> {
  const { signal, report } = options;
  // Once live, a partition reports no rebuild progress: keep the furthest seen.
  let furthest = 0;
  for (;;) {
    if (signal.aborted) {
      throw new CliError(
        ExitCode.interrupted,
        `rebuild of ${name} interrupted`,
        options.interruptedHint,
      );
    }
    const mine = (await statusOf()).filter((s) => s.name === name && s.active);
    const failed = mine.find((s) => s.state === 'failed');
    if (failed) {
      throw new CliError(
        ExitCode.incomplete,
        `rebuild of ${name} failed at ${failed.error?.stream ?? '?'} ${failed.error?.type ?? ''}: ${failed.error?.message ?? 'unknown error'}`,
        `fix the projection, then run it again; see: duet projections status`,
      );
    }
    // A paused projection is reset and waits: watching would never end.
    if (mine.length > 0 && mine.every((s) => s.state === 'paused')) {
      throw new CliError(
        ExitCode.incomplete,
        `${name} is paused: its read model was reset and replays once it is resumed`,
        `run: duet projections resume ${name}`,
      );
    }
    const lag = mine.reduce((sum, s) => sum + s.lagEvents, 0);
    furthest = Math.max(
      furthest,
      mine.reduce((sum, s) => sum + (s.rebuild?.eventsDone ?? 0), 0),
    );
    const done = furthest;
    const perSecond = mine.reduce((sum, s) => sum + (s.rebuild?.eventsPerSec ?? 0), 0);
    const etas = mine.map((s) => s.rebuild?.etaSeconds ?? (s.lagEvents === 0 ? 0 : null));
    const etaSeconds = etas.includes(null) ? null : Math.max(0, ...(etas as number[]));
    report({ done, total: done + lag, perSecond, etaSeconds });
    if (mine.length > 0 && mine.every((s) => s.lagEvents === 0 && s.state === 'live')) return mine;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
