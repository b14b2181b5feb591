#!/usr/bin/env node
// The `duet` command. Installed from npm, `#main` is the built dist/main.mjs. In this
// workspace node runs with the "@duet/source" condition (npm scripts and the tests set it,
// see docs/packages.md), so `#main` is src/main.ts and tsx loads it. tsx is registered in
// both cases so that `--config` may name a TypeScript file (duet.config.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('#main');
process.exitCode = await main(process.argv.slice(2));
