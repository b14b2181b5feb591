import type { Processors, ProjectionStatus } from '@duet/postgres';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openSession, type Session } from '../database/open-session.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { formatDuration } from '../output/format-duration.ts';
import { createProgressReporter } from '../output/progress-reporter.ts';
import { writeJson } from '../output/write-json.ts';
import { followRebuild } from '../projections/follow-rebuild.ts';
import { openRunner } from '../projections/open-runner.ts';
import { requestRebuild } from '../projections/request-rebuild.ts';

const examples = `
Examples:
  $ duet projections rebuild order_history --config ./duet.config.ts
  $ duet projections rebuild order_history --config ./duet.config.ts --json   # progress on stderr

Drops the active version's tables, re-creates them and replays every event, showing a
progress bar with the rate and ETA (a plain line every 2 s when stderr is not a terminal).
When an app's runner works the projection, the rebuild is asked of it (it resets and
replays; the bar shows the progress it records); when none does, or none takes the
request within 15 s, this command runs the projection itself. Queries see a partial read
model until it catches up; for no downtime bump the projection's version instead. Ctrl-C
stops watching (exit 130); the runner, or the next rebuild, carries on from the
checkpoint. A projection that fails exits 6.
With --json: {"name","version","events","deadLetters","ms","rebuiltBy"} once caught up.`;

// How long a runner has to take a request, and how long the projection may go without a
// live owner during the replay before this command finishes it itself.
const PICKUP_MS = 15_000;
const ORPHANED_MS = 10_000;

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
      await using reader = openRunner(session, name);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = Date.now();
      const progress = createProgressReporter(io.stderr, `rebuild ${name}`);
      let local: Processors | null = null;
      try {
        const owned = (await reader.status()).some((s) => s.active && s.ownedBy !== undefined);
        let rebuiltBy = 'this process';
        if (owned) {
          const asked = await requestRebuild(reader.rebuildRequests, name, {
            signal: stop.signal,
            pickupMs: PICKUP_MS,
          });
          if (asked.outcome === 'taken') {
            rebuiltBy = asked.by;
            output.note(`the runner ${asked.by} is rebuilding ${name}`);
          } else {
            output.note(`no runner took the request within ${PICKUP_MS / 1000} s: rebuilding here`);
          }
        }
        if (rebuiltBy === 'this process') {
          local = await startLocal(session, name, true);
        }
        let orphanedSince: number | null = null;
        const statusOf = async (): Promise<ProjectionStatus[]> => {
          if (local) return local.status();
          const statuses = await reader.status();
          const mine = statuses.filter((s) => s.active);
          if (mine.length > 0 && mine.every((s) => s.ownedBy === undefined)) {
            orphanedSince ??= Date.now();
            if (Date.now() - orphanedSince >= ORPHANED_MS) {
              output.note(`no runner works ${name} any more: finishing the rebuild here`);
              local = await startLocal(session, name, false);
              return local.status();
            }
          } else orphanedSince = null;
          return statuses;
        };
        const last = await followRebuild(statusOf, name, {
          signal: stop.signal,
          report: progress.update,
          interruptedHint:
            local === null
              ? `the runner ${rebuiltBy} carries the rebuild on`
              : 'it resumes from its checkpoint when the runner next runs',
        });
        progress.stop();
        const events = last.reduce((sum, s) => sum + s.applied, 0);
        const ms = Date.now() - started;
        const version = last[0]?.version ?? 0;
        const deadLetters = (await reader.deadLetters.list(name)).length;
        if (output.json) {
          writeJson(io.stdout, { name, version, events, deadLetters, ms, rebuiltBy });
        } else {
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
        await (local as Processors | null)?.close();
      }
    });
}

/** Runs the projection in this process (nobody else does); with `reset`, from the start. */
async function startLocal(session: Session, name: string, reset: boolean) {
  const runner = openRunner(session, name);
  try {
    await runner.start();
    if (reset) await runner.rebuild(name);
    return runner;
  } catch (error) {
    await runner.stop();
    throw error;
  }
}
