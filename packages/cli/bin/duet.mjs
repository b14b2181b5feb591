#!/usr/bin/env node
// The `duet` command. Installed from npm, `#main` is the built dist/main.mjs. In this
// workspace node runs with the "@duet/source" condition (npm scripts and the tests set it,
// see docs/packages.md), so `#main` is src/main.ts, and only then is tsx registered here:
// once registered, every later import goes through its loader (about 0.45 s of a start
// from dist/). A `--config` that names a TypeScript file is loaded through tsx by loadConfig.
let sources = false;
try {
  sources = import.meta.resolve('#main').endsWith('.ts');
} catch {
  // No package scope (the tests' bundle of this file): main is bundled in.
}
if (sources) (await import('tsx/esm/api')).register();
// A reader that stops early (`duet streams list | head`) closes the pipe: stop quietly,
// as shell tools do, instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
const { main } = await import('#main');
process.exitCode = await main(process.argv.slice(2));
