// The entry point of one tenancy or command job's child process: Emmett in a process of
// its own (it sets pg's global type parsers), Duet's plain and isolated runs together in
// another, so their ratio is taken in one process and one database.
import type { TenancyJob, TenancyMessage, TenancyResult } from './tenancy-config.ts';

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  const configText = process.argv[2];
  if (!send || configText === undefined) {
    throw new Error('tenancy-child.ts is started by the append bench, not by hand');
  }
  const job = JSON.parse(configText) as TenancyJob;
  const report = (result: TenancyResult) => {
    const message: TenancyMessage = { kind: 'result', result };
    // Wait until the message is handed over, so exiting cannot drop it.
    return new Promise<void>((resolve, reject) => {
      send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
    });
  };
  if (job.kind === 'tenancy') {
    await (await import('./duet-tenancy-runs.ts')).runDuetTenancy(job, report);
  } else if (job.system === 'duet') {
    await (await import('./duet-command-runs.ts')).runDuetCommands(job, report);
  } else {
    await (await import('./emmett-command-runs.ts')).runEmmettCommands(job, report);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `tenancy bench child failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
