import type { ProjectionStatus } from '@duet/postgres';
import { Command, Option } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { parseCount } from '../options/parse-count.ts';
import { commandOutput } from '../output/command-output.ts';
import { formatDuration } from '../output/format-duration.ts';
import { renderTable } from '../output/render-table.ts';
import type { Style } from '../output/style.ts';
import { writeJson } from '../output/write-json.ts';
import { openRunner, readRunnerTables } from '../projections/open-runner.ts';

const examples = `
Examples:
  $ duet projections status --config ./duet.config.ts
  $ duet projections status --config ./duet.config.ts --json | jq '.[] | select(.health != "healthy")'
  $ duet projections status --config ./duet.config.ts --stall-after 60000

One row per partition of each projection version: its state as the runner working it
recorded it ('stopped' when no runner's heartbeat is fresh), its health, who paused it
and how long ago (duet projections pause), its checkpoint position, the store's head, the lag in events and in time (age of the oldest event not
yet applied), the runner working it (host:pid:id), and, when committed events wait
behind an open transaction, that transaction's pid and age (end it with
pg_terminate_backend(pid)). Health is 'stalled' when events wait and the position has
not moved for --stall-after ms (or the config's projectionRunner.stallAfterMs, else
30000), or the partition failed; 'stopped' when no runner works it; 'paused' while an
operator has paused it and a runner holds it. Each partition that is not healthy gets a
line saying why (a paused one: by whom, since when, how many events wait). With --json: the status() array of @duet/postgres.`;

/** `duet projections status`: where each projection is and what holds it back. */
export function projectionsStatusCommand(io: CliIo): Command {
  return new Command('status')
    .description('show each projection: position, head, lag, state, what holds it back')
    .addOption(
      new Option(
        '--stall-after <ms>',
        'stalled when the position has not moved this long while events wait [config, else 30000]',
      ).argParser(parseCount(1, 86_400_000)),
    )
    .addHelpText('after', examples)
    .action(async (options: { stallAfter?: number }, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      await using session = await openSession(global);
      await using reader = openRunner(session, undefined, { stallAfterMs: options.stallAfter });
      const statuses = await readRunnerTables(() => reader.status());
      if (output.json) {
        writeJson(io.stdout, statuses);
        return;
      }
      if (statuses.length === 0) {
        io.stdout.write('no projection runner has started on this database yet\n');
        return;
      }
      const now = Date.now();
      const head = [
        'projection',
        'state',
        'health',
        'paused',
        'position',
        'head',
        'lag',
        'lag time',
        'held back by',
        'runner',
      ];
      io.stdout.write(
        renderTable(
          head,
          statuses.map((s) => statusRow(s, output.out, now)),
          output.out,
        ),
      );
      for (const status of statuses) {
        const error = status.error;
        if (error) {
          io.stdout.write(
            `${output.out.red(`${status.name} failed`)} at ${error.stream} ${error.type} (${error.eventId}): ${error.message}\n`,
          );
        } else if (status.health === 'paused') {
          io.stdout.write(`${output.out.yellow(`${labelOf(status)} paused`)}: ${status.reason}\n`);
        } else if (status.health !== 'healthy') {
          io.stdout.write(
            `${output.out.red(`${labelOf(status)} ${status.health}`)}: ${status.reason ?? ''}${pausedNote(status)}\n`,
          );
        }
      }
    });
}

function labelOf(status: ProjectionStatus): string {
  const partition = status.partitions > 1 ? ` #${status.partition}/${status.partitions}` : '';
  return `${status.name} v${status.version}${status.active ? '' : ' (next)'}${partition}`;
}

/** A pause the runner is not serving now (none runs it): it holds when one starts. */
function pausedNote(status: ProjectionStatus): string {
  if (status.paused === undefined) return '';
  const who = status.paused.by === undefined ? '' : ` by ${status.paused.by}`;
  return `; paused${who} since ${status.paused.at}`;
}

/** Who paused it and how long ago ('alice, 2 min 05 s ago'), or '-'. */
function pausedCell(status: ProjectionStatus, now: number): string {
  if (status.paused === undefined) return '-';
  const ago = `${formatDuration(Math.max(0, now - Date.parse(status.paused.at)))} ago`;
  return status.paused.by === undefined ? ago : `${status.paused.by}, ${ago}`;
}

/** 'healthy', 'paused' in yellow, or 'stalled 35.0 s' / 'stopped' in red. */
function healthCell(status: ProjectionStatus, style: Style): string {
  if (status.health === 'healthy') return style.green('healthy');
  if (status.health === 'paused') return style.yellow('paused');
  if (status.health === 'stopped') return style.red('stopped');
  return style.red(`stalled ${formatDuration(status.stuckMs)}`);
}

function statusRow(status: ProjectionStatus, style: Style, now: number): string[] {
  const state =
    status.state === 'failed'
      ? style.red(status.state)
      : status.state === 'live'
        ? style.green(status.state)
        : style.yellow(status.state);
  const held = status.heldBy
    ? `pid ${status.heldBy.pid}, open ${formatDuration(status.heldBy.ageMs)}`
    : '-';
  return [
    labelOf(status),
    state,
    healthCell(status, style),
    pausedCell(status, now),
    status.position,
    status.head,
    String(status.lagEvents),
    status.lagEvents > 0 ? formatDuration(status.lagMs) : '-',
    held,
    status.ownedBy ?? '-',
  ];
}
