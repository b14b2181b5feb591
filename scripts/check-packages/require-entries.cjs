// Every entry of the installed packages loads with require() too (require(esm): Node
// >= 20.19 and 22.12), for CommonJS callers. The testing entries need vitest: left out.
const entries = [
  '@duet/core',
  '@duet/core/adapters',
  '@duet/postgres',
  '@duet/nats',
  '@duet/http',
  '@duet/console',
  '@duet/cli',
];
for (const entry of entries) {
  const module = require(entry);
  if (Object.keys(module).length === 0) throw new Error(`require('${entry}') has no exports`);
}
console.log(`require ok on node ${process.version}: ${entries.length} entries`);
