// The entry point of one project job's child process: each system in a process of its
// own, so Emmett's driver setup (global pg type parsers) cannot touch Duet's.
import { peakRssMb } from '../measure/peak-rss.ts';
import type { ProjectJob, ProjectMessage, ProjectResult } from './project-config.ts';

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  const configText = process.argv[2];
  if (!send || configText === undefined) {
    throw new Error('project-child.ts is started by the project bench, not by hand');
  }
  const job = JSON.parse(configText) as ProjectJob;
  const results = await runJob(job);
  for (const result of results) {
    const message: ProjectMessage = {
      kind: 'result',
      result: { ...result, peak_rss_mb: peakRssMb() },
    };
    await new Promise<void>((resolve, reject) => {
      send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
    });
  }
}

// Each system's module is loaded only in its own child.
async function runJob(job: ProjectJob): Promise<ProjectResult[]> {
  switch (job.system) {
    case 'duet':
      return [await (await import('./duet-rebuild.ts')).runDuetRebuild(job)];
    case 'emmett':
      return [await (await import('./emmett-rebuild.ts')).runEmmettRebuild(job)];
    case 'raw-postgres':
      return (await import('./raw-rebuild.ts')).runRawRebuilds(job);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `project bench child failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
