import type { ProjectionRunner, ProjectionStatus } from '@duet/postgres';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { formatDuration } from '../output/format-duration.ts';
import { createProgressReporter, type Progress } from '../output/progress-reporter.ts';
import { writeJson } from '../output/write-json.ts';
import { openRunner } from '../projections/open-runner.ts';

const examples = `
Examples:
  $ duet projections rebuild order_history --config ./duet.config.ts
  $ duet projections rebuild order_history --config ./duet.config.ts --json   # progress on stderr

Drops the active version's tables, re-creates them and replays every event, showing a
progress bar with the rate and ETA (a plain line every 2 s when stderr is not a terminal).
Queries see a partial read model until it catches up; for no downtime bump the
projection's version instead. Ctrl-C stops it (exit 130); the app's runner, or another
rebuild, carries on from the checkpoint. A projection that fails exits 6.
With --json: {"name","version","events","deadLetters","ms"} once caught up.`;

const POLL_MS = 250;

/** `duet projections rebuild <name>`: replays one projection from the start, with progress. */
export function projectionsRebuildCommand(io: CliIo): Command {
  return new Command('rebuild')
    .description("drop a projection's read model and replay every event into it")
    .argument('<name>', 'the projection name, as in defineProjection')
    .addHelpText('after', examples)
    .action(async (name: string, _options: unknown, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      await using session = await openSession(global);
      await using runner = openRunner(session, name);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = Date.now();
      const progress = createProgressReporter(io.stderr, `rebuild ${name}`);
      try {
        await runner.start();
        await runner.rebuild(name);
        const last = await follow(runner, name, stop.signal, progress.update);
        progress.stop();
        const events = last.reduce((sum, s) => sum + s.applied, 0);
        const ms = Date.now() - started;
        const version = last[0]?.version ?? 0;
        const deadLetters = (await runner.deadLetters.list(name)).length;
        if (output.json) writeJson(io.stdout, { name, version, events, deadLetters, ms });
        else {
          io.stdout.write(
            `rebuilt ${name} v${version}: ${events} events applied in ${formatDuration(ms)}\n`,
          );
        }
        if (deadLetters > 0) {
          output.note(
            `${deadLetters} dead letters: see duet dead-letters list --projection ${name}`,
          );
        }
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await runner.stop();
      }
    });
}

/** Polls status until every partition of the active version is live with no lag. */
async function follow(
  runner: ProjectionRunner,
  name: string,
  signal: AbortSignal,
  report: (progress: Progress) => void,
): Promise<ProjectionStatus[]> {
  // Once live, a partition reports no rebuild progress: keep the furthest seen.
  let furthest = 0;
  for (;;) {
    if (signal.aborted) {
      throw new CliError(
        ExitCode.interrupted,
        `rebuild of ${name} interrupted`,
        'it resumes from its checkpoint when the runner next runs',
      );
    }
    const mine = (await runner.status()).filter((s) => s.name === name && s.active);
    const failed = mine.find((s) => s.state === 'failed');
    if (failed) {
      throw new CliError(
        ExitCode.incomplete,
        `rebuild of ${name} failed at ${failed.error?.stream ?? '?'} ${failed.error?.type ?? ''}: ${failed.error?.message ?? 'unknown error'}`,
        `fix the projection, then run it again; see: duet projections status`,
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
