// The entry point of one round's child process. Each system runs in a process of its
// own: no shared heap or GC debt between systems, and Emmett's driver setup (it sets
// pg's global type parsers, e.g. int8 to BigInt) cannot change how Duet's pg behaves.
import type { AppendSystem } from './append-system.ts';
import type { RoundConfig, RoundMessage } from './round-config.ts';
import { runRound } from './run-round.ts';

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  const configText = process.argv[2];
  if (!send || configText === undefined) {
    throw new Error('system-child.ts is started by the append bench, not by hand');
  }
  const config = JSON.parse(configText) as RoundConfig;
  const system = await openSystem(config);
  try {
    await runRound(config, system, (result) => {
      const message: RoundMessage = { kind: 'result', result };
      // Wait until the message is handed over, so exiting cannot drop it.
      return new Promise<void>((resolve, reject) => {
        send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
      });
    });
  } finally {
    await system.close();
  }
}

// Each system's module is loaded only in its own child: a Duet process never loads Emmett.
async function openSystem(config: RoundConfig): Promise<AppendSystem> {
  const schema = config.schema ?? 'duet_bench';
  if (config.store === 'pglite') return (await import('./duet-writer.ts')).openDuetPGlite(schema);
  const url = config.databaseUrl;
  if (url === undefined) throw new Error(`${config.system} needs a database URL`);
  switch (config.system) {
    case 'duet':
      return (await import('./duet-writer.ts')).openDuetPostgres(url, schema);
    case 'emmett':
      return (await import('./emmett-writer.ts')).openEmmett(url);
    case 'raw-postgres':
      return (await import('./raw-postgres-writer.ts')).openRawPostgres(url);
    case 'raw-duet-row':
    case 'raw-duet-row-no-category':
      return (await import('./raw-duet-row-writer.ts')).openRawDuetRow(url, {
        withoutCategoryIndex: config.system === 'raw-duet-row-no-category',
      });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `append bench child failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
