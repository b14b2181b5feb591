import { type Command, Option } from 'commander';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/** Which database to open: a PostgreSQL URL or a PGlite data directory. */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly dir: string };

/** The options every command takes, read from the root program. */
export interface GlobalOptions {
  /** Null when neither --database-url, DATABASE_URL nor --pglite was given. */
  readonly target: DatabaseTarget | null;
  readonly schema: string;
  /** False when --schema and DUET_SCHEMA were both absent: a --config's `schema` may apply. */
  readonly schemaGiven: boolean;
  readonly config: string | undefined;
  readonly json: boolean;
  readonly verbose: boolean;
  /** False with --no-color; NO_COLOR and non-TTY output are applied later (`useColor`). */
  readonly color: boolean;
}

/** Declares the global options on the root program (commander shows them in every --help). */
export function addGlobalOptions(program: Command): void {
  program
    .addOption(new Option('--database-url <url>', 'PostgreSQL connection URL').env('DATABASE_URL'))
    .addOption(
      new Option('--pglite <dir>', 'embedded PGlite data directory instead of PostgreSQL').env(
        'DUET_PGLITE',
      ),
    )
    .addOption(
      new Option('--schema <name>', "the schema Duet's tables live in")
        .env('DUET_SCHEMA')
        .default('duet'),
    )
    .addOption(
      new Option(
        '--config <file>',
        'module exporting { events?, deciders?, projections? } (see docs/cli.md)',
      ).env('DUET_CONFIG'),
    )
    .option('--json', 'print JSON for scripts (data only on stdout)', false)
    .option('--no-color', 'no colours (also: NO_COLOR=1, or output that is not a terminal)')
    .option('--verbose', 'print stack traces with errors', false);
}

interface RawGlobalOptions {
  readonly databaseUrl?: string;
  readonly pglite?: string;
  readonly schema: string;
  readonly config?: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
}

/**
 * The global options as a command sees them. An explicit --pglite beats a DATABASE_URL in
 * the environment; --database-url and --pglite together are a usage error.
 */
export function readGlobalOptions(command: Command): GlobalOptions {
  const raw = command.optsWithGlobals<RawGlobalOptions>();
  const root = rootOf(command);
  const urlFromCli = root.getOptionValueSource('databaseUrl') === 'cli';
  const pgliteFromCli = root.getOptionValueSource('pglite') === 'cli';
  if (urlFromCli && pgliteFromCli) {
    throw new CliError(ExitCode.usage, 'give either --database-url or --pglite, not both');
  }
  let target: DatabaseTarget | null = null;
  if (raw.pglite !== undefined && raw.pglite !== '' && (pgliteFromCli || !urlFromCli)) {
    target = { kind: 'pglite', dir: raw.pglite };
  }
  if (target === null && raw.databaseUrl !== undefined && raw.databaseUrl !== '') {
    target = { kind: 'postgres', url: raw.databaseUrl };
  }
  return {
    target,
    schema: raw.schema,
    schemaGiven: root.getOptionValueSource('schema') !== 'default',
    config: raw.config === '' ? undefined : raw.config,
    json: raw.json,
    verbose: raw.verbose,
    color: raw.color,
  };
}

function rootOf(command: Command): Command {
  let current = command;
  while (current.parent) current = current.parent;
  return current;
}
