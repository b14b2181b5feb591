// Test support: a TypeScript entry that a test starts as a child process, bundled to one
// ES module. `node --import tsx entry.ts` sends each of the few hundred modules a child
// imports through tsx's loader thread: about 1 s of CPU per start before the child does
// anything, and the suite starts hundreds of children on two cores. Bundled, the same
// start costs a fraction of that (`duet --help`: 0.3 CPU-s against 1.4). The workspace's
// packages are bundled from their sources (the "@duet/source" condition, as under tsx);
// npm packages stay imports, resolved from the entry's package. See docs/testing.md.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const root = resolve(import.meta.dirname, '..', '..');

/**
 * Files a module reads beside itself at run time (`new URL('./x', import.meta.url)`): a
 * bundle that holds the module gets a copy beside it, as the packages' build does
 * (scripts/build-packages.mjs).
 */
const filesBeside: Record<string, readonly string[]> = {
  'packages/console/src/assets/console-assets.ts': ['packages/console/src/assets/console.css'],
};

/** The files a bundle was built from, each with when it was last changed. */
type BundleInputs = Record<string, number>;

interface Manifest {
  readonly workspaces?: readonly string[];
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

const readManifest = (directory: string) =>
  JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Manifest;

/** Every npm package a manifest of the workspace names: these stay imports. */
function npmPackages(): string[] {
  const rootManifest = readManifest(root);
  const names = new Set<string>();
  for (const directory of ['.', ...(rootManifest.workspaces ?? [])]) {
    const manifest = readManifest(join(root, directory));
    for (const list of [
      manifest.dependencies,
      manifest.devDependencies,
      manifest.peerDependencies,
      manifest.optionalDependencies,
    ]) {
      for (const name of Object.keys(list ?? {})) {
        if (!name.startsWith('@duet/')) names.add(name);
      }
    }
  }
  return [...names];
}

// The bundle sits in the entry's package's node_modules/.cache, so its imports of npm
// packages resolve from the same folders as the entry's own would (a package may have its
// own version of one, as packages/cli has of commander).
function cacheDirectoryOf(entry: string): string {
  let directory = dirname(entry);
  while (!existsSync(join(directory, 'package.json')) && directory !== root) {
    directory = dirname(directory);
  }
  return join(directory, 'node_modules', '.cache', 'duet-test-bundles');
}

function isFresh(inputsFile: string): boolean {
  if (!existsSync(inputsFile)) return false;
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as BundleInputs;
  return Object.entries(inputs).every(([file, changed]) => {
    try {
      return statSync(file).mtimeMs === changed;
    } catch {
      return false;
    }
  });
}

function bundle(entry: string, outfile: string, inputsFile: string): void {
  // Several test workers may bundle the same entry at once: each writes files of its own
  // and renames them into place, so no child ever starts on half a bundle.
  const own = `${process.pid}-${Date.now()}`;
  const result = buildSync({
    entryPoints: [entry],
    outfile: `${outfile}.${own}`,
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    conditions: ['@duet/source'],
    external: npmPackages(),
    metafile: true,
    logLevel: 'error',
  });
  const inputs: BundleInputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    for (const file of [input, ...(filesBeside[input] ?? [])]) {
      inputs[resolve(root, file)] = statSync(resolve(root, file)).mtimeMs;
    }
    for (const file of filesBeside[input] ?? []) {
      copyFileSync(resolve(root, file), join(dirname(outfile), basename(file)));
    }
  }
  writeFileSync(`${inputsFile}.${own}`, JSON.stringify(inputs));
  renameSync(`${outfile}.${own}`, outfile);
  renameSync(`${inputsFile}.${own}`, inputsFile);
}

/**
 * The path of `entry` bundled, for `node <path> ...args`; bundled again when a file it was
 * built from has changed since, so a test never starts yesterday's code.
 *
 * @example
 * const child = spawn(process.execPath, [bundledEntry(CHILD), dir]);
 */
export function bundledEntry(entry: string): string {
  const source = resolve(entry);
  const directory = cacheDirectoryOf(source);
  const key = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const outfile = join(directory, `${basename(source).replace(/\.[mc]?[jt]s$/, '')}-${key}.mjs`);
  const inputsFile = `${outfile}.inputs.json`;
  if (!isFresh(inputsFile)) {
    mkdirSync(directory, { recursive: true });
    bundle(source, outfile, inputsFile);
  }
  return outfile;
}
