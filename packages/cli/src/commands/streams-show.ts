import { categoryOf, type PointInTime, type RecordedEvent, stateAt } from '@duet/core';
import { Command, Option } from 'commander';
import { CliError } from '../cli-error.ts';
import type { CliIo } from '../cli-io.ts';
import type { StateFolder } from '../config/cli-config.ts';
import { openSession, type Session } from '../database/open-session.ts';
import { ExitCode } from '../exit-code.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { parseCount } from '../options/parse-count.ts';
import { parsePointInTime } from '../options/parse-point-in-time.ts';
import { commandOutput } from '../output/command-output.ts';
import { dataWidth, EVENT_HEAD, eventRow } from '../output/event-rows.ts';
import { renderTable } from '../output/render-table.ts';
import { writeJson } from '../output/write-json.ts';

const examples = `
Examples:
  $ duet streams show order-42
  $ duet streams show order-42 --at 3                          # as it was after version 3
  $ duet streams show order-42 --at 2026-11-26T10:00:00Z --config ./duet.config.ts
  $ duet streams show order-42 --json | jq '.events[].type'

Without --at: the stream's first --limit events.
With --at: the events up to that version or time (the last --limit of them) and, when
--config has a decider for the stream's category, the state they fold into. Without a
decider there is no state to compute: the events listed are what would fold into it.
With --json: {"stream","version","events":[...]} and, with --at, "at", "state" (null
without a decider) and "truncated".`;

interface StreamsShowOptions {
  readonly at?: PointInTime;
  readonly limit: number;
}

/** `duet streams show <stream>`: its events, or its state at a version or time. */
export function streamsShowCommand(io: CliIo): Command {
  return new Command('show')
    .description("show a stream's events, or its state at a version or time (--at)")
    .argument('<stream>', 'the stream name, e.g. order-42')
    .addOption(
      new Option('--at <version|time>', 'time travel: a version (3) or ISO time').argParser(
        parsePointInTime,
      ),
    )
    .addOption(
      new Option('--limit <n>', 'events to show (1-10000)')
        .argParser(parseCount(1, 10_000))
        .default(100),
    )
    .addHelpText('after', examples)
    .action(async (stream: string, options: StreamsShowOptions, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      await using session = await openSession(global, { inTenant: true });
      const info = await session.store.streamInfo(stream);
      if (info === null) {
        throw new CliError(
          ExitCode.notFound,
          `stream ${stream} not found`,
          'see: duet streams list',
        );
      }
      const width = dataWidth(io.stdout.columns);
      if (options.at === undefined) {
        const events: RecordedEvent[] = [];
        for await (const event of session.store.readStream(stream, { maxCount: options.limit })) {
          events.push(event);
        }
        if (output.json) {
          writeJson(io.stdout, { stream, version: info.version, events });
          return;
        }
        io.stdout.write(
          `${output.out.bold(stream)}  version ${info.version}, updated ${info.updatedAt}\n`,
        );
        io.stdout.write(
          renderTable(
            EVENT_HEAD,
            events.map((e) => eventRow(e, output.out, width)),
            output.out,
          ),
        );
        if (info.version > events.length) {
          io.stdout.write(`showing ${events.length} of ${info.version} events (--limit)\n`);
        }
        return;
      }
      const decider = session.config.deciders?.[categoryOf(stream)];
      const then = await travel(session, stream, options.at, options.limit, decider);
      if (output.json) {
        writeJson(io.stdout, {
          stream,
          version: info.version,
          at: options.at,
          versionThen: then.version,
          state: decider ? then.state : null,
          events: then.events,
          truncated: then.count > then.events.length,
        });
        return;
      }
      const label =
        'version' in options.at ? `version ${options.at.version}` : options.at.timestamp;
      io.stdout.write(
        `${output.out.bold(stream)} at ${label}: version ${then.version} of ${info.version}\n`,
      );
      io.stdout.write(
        renderTable(
          EVENT_HEAD,
          then.events.map((e) => eventRow(e, output.out, width)),
          output.out,
        ),
      );
      if (then.count > then.events.length) {
        io.stdout.write(
          `showing the last ${then.events.length} of ${then.count} events (--limit)\n`,
        );
      }
      if (decider) {
        io.stdout.write(`state:\n${JSON.stringify(then.state, null, 2)}\n`);
      } else {
        io.stdout.write(
          `no decider for category ${categoryOf(stream)} in --config: the events above are what would fold into its state\n`,
        );
      }
    });
}

/**
 * Folds with core's `stateAt` (the decider's, or one that keeps no state) and keeps the
 * last `limit` of the events it folded.
 */
async function travel(
  session: Session,
  stream: string,
  at: PointInTime,
  limit: number,
  decider: StateFolder | undefined,
): Promise<{ state: unknown; version: number; events: RecordedEvent[]; count: number }> {
  const events: RecordedEvent[] = [];
  let count = 0;
  const recording: StateFolder = {
    initialState: () => decider?.initialState(),
    evolve: (state, event) => {
      count++;
      events.push(event as RecordedEvent);
      if (events.length > limit) events.shift();
      return decider ? decider.evolve(state, event) : state;
    },
  };
  const { state, version } = await stateAt(session.store, recording, stream, at);
  return { state, version, events, count };
}
