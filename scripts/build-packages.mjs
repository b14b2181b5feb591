// Builds each public package to its dist/ (ESM, .d.mts, source maps) with tsdown, in
// dependency order: a package's declarations are compiled against the built .d.mts of the
// packages it uses, as a user's compiler would see them. Only `npm pack` and the packaging
// check need this: inside the workspace everything runs on src/ through the "@duet/source"
// export condition (see docs/packages.md).
//
//   node scripts/build-packages.mjs            all public packages
//   node scripts/build-packages.mjs core http  some of them (the ones they use built already)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsdown';

const root = resolve(import.meta.dirname, '..');
// TypeScript 7's native tsc (its package exports no path to it, so find it beside package.json).
const typescriptDir = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..');
const { default: getTscPath } = await import(
  pathToFileURL(join(typescriptDir, 'lib', 'getExePath.js')).href
);
/** Public packages, each after the packages it imports. */
export const publicPackages = ['core', 'postgres', 'nats', 'http', 'console', 'cli'];

/**
 * The entries of one package, read from its `exports` and `imports`: each subpath's
 * "@duet/source" file is built to the file its "import" (or "default") condition names
 * (`./dist/testing.mjs` → entry `testing`).
 */
function entriesOf(manifest) {
  const entries = {};
  const subpaths = { ...manifest.exports, ...manifest.imports };
  for (const [subpath, conditions] of Object.entries(subpaths)) {
    if (typeof conditions === 'string') continue; // ./package.json
    const source = conditions['@duet/source'];
    const target = conditions.import ?? conditions.default;
    const name = /^\.\/dist\/(.+)\.mjs$/.exec(target ?? '')?.[1];
    if (!source || !name) {
      throw new Error(
        `${manifest.name}: "${subpath}" needs "@duet/source" and "import": "./dist/<name>.mjs"`,
      );
    }
    entries[name] = source;
  }
  return entries;
}

/** What a package needs beyond its entries: files read at run time beside the code. */
const extras = {
  // console-assets.ts reads `new URL('./console.css', import.meta.url)`: beside the bundle.
  console: { copy: [{ from: 'src/assets/console.css', to: 'dist' }] },
};

async function buildPackage(dir) {
  const cwd = join(root, 'packages', dir);
  const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  await build({
    config: false,
    cwd,
    name: manifest.name,
    entry: entriesOf(manifest),
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    fixedExtension: true,
    sourcemap: true,
    clean: true,
    tsconfig: 'tsconfig.build.json',
    // TypeScript 7 has no JS API: rolldown-plugin-dts runs its native tsc on the package's
    // tsconfig.build.json and bundles the declarations it writes.
    dts: { tsgo: { path: getTscPath() }, sourcemap: true },
    logLevel: 'warn',
    report: false,
    ...extras[dir],
  });
}

const wanted = process.argv.slice(2);
const order =
  wanted.length === 0 ? publicPackages : publicPackages.filter((p) => wanted.includes(p));
for (const dir of order) {
  const started = Date.now();
  await buildPackage(dir);
  console.log(`built @duet/${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
