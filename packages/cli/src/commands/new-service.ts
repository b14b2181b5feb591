import { resolve } from 'node:path';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.ts';
import { readGlobalOptions } from '../options/global-options.ts';
import { commandOutput } from '../output/command-output.ts';
import { writeJson } from '../output/write-json.ts';
import { writeStarter } from '../starter/write-starter.ts';

const examples = `
Examples:
  $ duet new billing                 # writes ./billing
  $ duet new billing --dir services/billing
  $ cd billing && npm install && npm start && npm test
`;

/**
 * `duet new <service>`: writes a working service into a new folder: a decider with its
 * commands and events, a projection, a query, the HTTP server, tests, a README, and
 * `npm start` / `npm test` that run at once on an embedded PGlite.
 */
export function newServiceCommand(io: CliIo): Command {
  return new Command('new')
    .description('write a new Duet service (decider, projection, query, HTTP, tests) to a folder')
    .argument('<service>', 'its name: lower-case words joined by dashes (billing, order-history)')
    .option('--dir <path>', 'where to write it (new or empty) [./<service>]')
    .addHelpText('after', examples)
    .action(async (service: string, options: { dir?: string }, command: Command) => {
      const output = commandOutput(io, readGlobalOptions(command));
      const directory = resolve(options.dir ?? service);
      const written = await writeStarter(service, directory);
      if (output.json) {
        writeJson(io.stdout, written);
        return;
      }
      io.stdout.write(`wrote ${written.files.length} files to ${directory}\n`);
      io.stdout.write(
        `next:\n  cd ${options.dir ?? service}\n  npm install\n  npm start    # http://127.0.0.1:3000/docs, API key dev-key\n  npm test\n`,
      );
    });
}
