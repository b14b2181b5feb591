#!/usr/bin/env node
// The `duet` command. Duet's packages export TypeScript sources, so tsx loads them.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
