import { Command, Option } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { listStreams } from '../database/list-streams.ts';
import { openSession } from '../database/open-session.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { parseCount } from '../options/parse-count.ts';
import { commandOutput } from '../output/command-output.ts';
import { renderTable } from '../output/render-table.ts';
import { writeJson } from '../output/write-json.ts';

const examples = `
Examples:
  $ duet streams list --pglite ./.data/pglite
  $ duet streams list --category order --limit 20
  $ duet streams list --after b3JkZXItNDI          # the next page: the cursor the last page printed
  $ duet streams list --json | jq -r '.streams[].stream'

Pages are in stream-name order; a cursor stays valid while streams are added.
With --json: {"streams":[{"stream","category","version","createdAt","updatedAt"}],"nextCursor":string|null}`;

interface StreamsListOptions {
  readonly category?: string;
  readonly limit: number;
  readonly after?: string;
}

/** `duet streams list`: the streams, a page at a time. */
export function streamsListCommand(io: CliIo): Command {
  return new Command('list')
    .description('list streams with their version and times, a page at a time')
    .option('--category <category>', 'only streams of this category (the name before the first -)')
    .addOption(
      new Option('--limit <n>', 'streams per page (1-10000)')
        .argParser(parseCount(1, 10_000))
        .default(50),
    )
    .option('--after <cursor>', 'the page after this cursor (printed by the previous page)')
    .addHelpText('after', examples)
    .action(async (options: StreamsListOptions, command: Command) => {
      const global = readGlobalOptions(command);
      const output = commandOutput(io, global);
      await using session = await openSession(global, { inTenant: true });
      const page = await listStreams(session.executor, session.schema, {
        limit: options.limit,
        ...(options.category === undefined ? {} : { category: options.category }),
        ...(options.after === undefined ? {} : { after: options.after }),
      });
      if (output.json) {
        writeJson(io.stdout, page);
        return;
      }
      if (page.streams.length === 0) {
        io.stdout.write(options.after === undefined ? 'no streams\n' : 'no more streams\n');
        return;
      }
      const rows = page.streams.map((s) => [s.stream, String(s.version), s.createdAt, s.updatedAt]);
      io.stdout.write(renderTable(['stream', 'version', 'created', 'updated'], rows, output.out));
      if (page.nextCursor !== null) {
        io.stdout.write(`next page: add --after ${page.nextCursor}\n`);
      }
    });
}
