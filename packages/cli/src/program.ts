import { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { deadLettersListCommand } from './commands/dead-letters-list.ts';
import { deadLettersRetryCommand } from './commands/dead-letters-retry.ts';
import { deadLettersSkipCommand } from './commands/dead-letters-skip.ts';
import { eventsTailCommand } from './commands/events-tail.ts';
import { forgetCommand } from './commands/forget.ts';
import { loadCommand } from './commands/load.ts';
import { migrateCommand } from './commands/migrate.ts';
import { newServiceCommand } from './commands/new-service.ts';
import { projectionsPauseCommand } from './commands/projections-pause.ts';
import { projectionsRebuildCommand } from './commands/projections-rebuild.ts';
import { projectionsResumeCommand } from './commands/projections-resume.ts';
import { projectionsStatusCommand } from './commands/projections-status.ts';
import { streamsListCommand } from './commands/streams-list.ts';
import { streamsShowCommand } from './commands/streams-show.ts';
import { addGlobalOptions, checkTenantApplies } from './options/global-options.ts';

const exitCodes = `
Exit codes:
  0  ok (also: events tail stopped with Ctrl-C)
  1  error not covered below
  2  usage: unknown command or option, bad value, unusable --config
  3  not found: stream, projection, dead letter
  4  database unreachable or cannot be opened
  5  schema not migrated (run duet migrate)
  6  incomplete: the work ran but did not all succeed
  130  interrupted (Ctrl-C during a rebuild)

Environment: DATABASE_URL, DUET_PGLITE, DUET_SCHEMA, DUET_TENANT, DUET_CONFIG, DUET_API_KEYS, NO_COLOR.
Docs: docs/cli.md`;

/** The `duet` program with every command; `io` is where they write. */
export function createProgram(io: CliIo): Command {
  const program = new Command('duet')
    .description(
      'Operate a Duet event store: migrate, inspect streams and events, run projections, load an app',
    )
    .version('0.1.0', '-V, --version')
    .addHelpText('after', exitCodes);
  addGlobalOptions(program);
  program.hook('preAction', (_root, action) => checkTenantApplies(action));
  program.addCommand(newServiceCommand(io));
  program.addCommand(migrateCommand(io));
  program.addCommand(
    new Command('streams')
      .description('list streams and show their events and past states')
      .addCommand(streamsListCommand(io))
      .addCommand(streamsShowCommand(io)),
  );
  program.addCommand(
    new Command('events').description('follow the event log').addCommand(eventsTailCommand(io)),
  );
  program.addCommand(
    new Command('projections')
      .description(
        'projection status, rebuilds, pause and resume (needs --config with projections)',
      )
      .addCommand(projectionsStatusCommand(io))
      .addCommand(projectionsRebuildCommand(io))
      .addCommand(projectionsPauseCommand(io))
      .addCommand(projectionsResumeCommand(io)),
  );
  program.addCommand(
    new Command('dead-letters')
      .description(
        'events projections could not apply (--config), or messages consumers gave up on (--nats)',
      )
      .addCommand(deadLettersListCommand(io))
      .addCommand(deadLettersRetryCommand(io))
      .addCommand(deadLettersSkipCommand(io)),
  );
  program.addCommand(forgetCommand(io));
  program.addCommand(loadCommand(io));
  applyToAll(program, io);
  return program;
}

/** Settings commander only copies to subcommands made with `.command()`, set on each. */
function applyToAll(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)');
  for (const child of command.commands) applyToAll(child, io);
}
