import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/** The name the template is written with; every occurrence becomes the new service's. */
const TEMPLATE_NAME = 'my-service';
const VERSION_PLACEHOLDER = '__DUET_VERSION__';
// npm leaves .gitignore files out of a package, and a package.json in a package's folder
// would be taken for a package: both travel under other names.
const RENAMED: Readonly<Record<string, string>> = {
  gitignore: '.gitignore',
  'package.json.tmpl': 'package.json',
};
const SERVICE_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** What `writeStarter` wrote. */
export interface WrittenStarter {
  readonly service: string;
  readonly directory: string;
  /** Paths relative to `directory`, sorted. */
  readonly files: string[];
}

/**
 * Writes a new service from the starter template into `directory` (created; it must not
 * exist or be empty): the template's example domain, its tests, README and scripts, named
 * `service`, depending on this version of Duet's packages.
 *
 * @example
 * await writeStarter('billing', './billing'); // then: cd billing && npm install && npm start
 */
export async function writeStarter(service: string, directory: string): Promise<WrittenStarter> {
  if (!SERVICE_NAME.test(service) || service.length > 40) {
    throw new CliError(
      ExitCode.usage,
      `${JSON.stringify(service)} is not a service name`,
      'use lower-case letters and digits, words joined by single dashes, at most 40 characters (billing, order-history)',
    );
  }
  if (existsSync(directory) && (await readdir(directory)).length > 0) {
    throw new CliError(
      ExitCode.usage,
      `${directory} is not empty`,
      'name a new or empty directory with --dir',
    );
  }
  const template = templateDirectory();
  const version = cliVersion();
  const files: string[] = [];
  for (const source of await listFiles(template)) {
    const path = relative(template, source);
    const name = RENAMED[path] ?? path;
    const text = (await readFile(source, 'utf8'))
      .replaceAll(TEMPLATE_NAME, service)
      .replaceAll(VERSION_PLACEHOLDER, version);
    const target = join(directory, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, { flag: 'wx' });
    files.push(name);
  }
  return { service, directory, files: files.sort() };
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.name !== 'node_modules' && entry.name !== '.data')
      .map((entry) =>
        entry.isDirectory()
          ? listFiles(join(directory, entry.name))
          : Promise.resolve([join(directory, entry.name)]),
      ),
  );
  return nested.flat();
}

/** The package's `templates/service`, found upwards from this file (sources or a build). */
function templateDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level += 1) {
    const candidate = join(directory, 'templates', 'service');
    if (existsSync(candidate)) return candidate;
    directory = dirname(directory);
  }
  throw new CliError(ExitCode.error, 'the starter template is missing from @duet/cli');
}

/** This CLI's version: the generated service depends on the same version of each package. */
function cliVersion(): string {
  const manifest = join(dirname(templateDirectory()), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
