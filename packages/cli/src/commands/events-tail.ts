import { START_POSITION } from '@duet/core';
import { Command, Option } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { openSession } from '../database/open-session.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { parseFrom, type TailStart } from '../options/parse-from.ts';
import { commandOutput } from '../output/command-output.ts';
import { eventLine } from '../output/event-line.ts';
import { writeJsonLine } from '../output/write-json.ts';

const examples = `
Examples:
  $ duet events tail                                   # new events from now on
  $ duet events tail --from start --category order     # every order event, then follow
  $ duet events tail --type OrderPlaced --type OrderShipped
  $ duet events tail --json | jq -c 'select(.type == "OrderPlaced") | .data'

Follows until Ctrl-C (exit code 0). With --json: one event per line (NDJSON) with id,
stream, streamVersion, position, type, schemaVersion, data, metadata.
On PGlite only this process can open the directory, so it shows what is already stored
and what this process appends (nothing): follow a live PGlite app from inside the app.`;

interface EventsTailOptions {
  readonly category?: string;
  readonly type?: string[];
  readonly from: TailStart;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `duet events tail`: prints events as they commit, until Ctrl-C. */
export function eventsTailCommand(io: CliIo): Command {
  return new Command('tail')
    .description('follow events live as they commit, until Ctrl-C')
    .option('--category <category>', 'only events of streams of this category')
    .option('--type <type>', 'only events of this type (repeat for several)', collect)
    .addOption(
      new Option('--from <position|start|end>', 'where to start')
        .argParser(parseFrom)
        .default('end'),
    )
    .addHelpText('after', examples)
    .action(async (options: EventsTailOptions, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      await using session = await openSession(global, { inTenant: true });
      const after =
        options.from === 'start'
          ? START_POSITION
          : options.from === 'end'
            ? await session.store.headPosition()
            : options.from;
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        output.note(
          `following ${session.db.description}, schema ${session.schema}${session.tenant === undefined ? '' : `, tenant ${session.tenant}`}, after ${after} (Ctrl-C to stop)`,
        );
        const events = session.store.subscribe({
          after,
          signal: stop.signal,
          ...(options.category === undefined ? {} : { category: options.category }),
          ...(options.type === undefined ? {} : { types: options.type }),
        });
        for await (const event of events) {
          if (output.json) writeJsonLine(io.stdout, event);
          else io.stdout.write(eventLine(event, output.out, io.stdout.columns));
        }
        output.note('stopped');
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
