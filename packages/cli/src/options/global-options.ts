import { checkTenant, ValidationError } from '@duet/core';
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
  /**
   * --tenant or DUET_TENANT, checked: the tenant whose streams the reading commands see
   * (`isolateTenants`). Undefined: they run as the connecting role, as before tenants.
   */
  readonly tenant: string | undefined;
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
    .addOption(
      new Option(
        '--tenant <name>',
        "read streams and events as this tenant (streams, events, forget); default: tenant ''",
      ).env('DUET_TENANT'),
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
  readonly tenant?: string;
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
    tenant:
      raw.tenant === undefined || raw.tenant === '' ? undefined : checkTenantOption(raw.tenant),
    json: raw.json,
    verbose: raw.verbose,
    color: raw.color,
  };
}

// The commands that read or erase one tenant's streams; the others (migrate, projections,
// dead letters, load) are the system's and work across tenants.
const tenantCommands = new Set(['streams', 'events', 'forget']);

/**
 * Refuses --tenant on a command that works across tenants (usage error), so nobody
 * believes a rebuild or a dead-letter retry was limited to one tenant. DUET_TENANT in the
 * environment is ignored there instead: it is meant for the reading commands.
 */
export function checkTenantApplies(action: Command): void {
  const root = rootOf(action);
  if (root.getOptionValueSource('tenant') !== 'cli') return;
  let top = action;
  while (top.parent && top.parent !== root) top = top.parent;
  if (!tenantCommands.has(top.name())) {
    throw new CliError(
      ExitCode.usage,
      `--tenant does not apply to duet ${top.name()}: it works across tenants`,
      '--tenant is for duet streams, duet events and duet forget',
    );
  }
}

function checkTenantOption(tenant: string): string {
  try {
    return checkTenant(tenant);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new CliError(
      ExitCode.usage,
      `--tenant ${JSON.stringify(tenant)} is not a tenant name`,
      "use 1 to 63 letters, digits, '-' or '_', starting with a letter or digit",
    );
  }
}

function rootOf(command: Command): Command {
  let current = command;
  while (current.parent) current = current.parent;
  return current;
}
