import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProjectJob, ProjectMessage, ProjectResult } from './project-config.ts';

const CHILD = fileURLToPath(new URL('./project-child.ts', import.meta.url));

/** Runs one job in a fresh Node process; its stdout goes to our stderr. */
export function runJobInChild(job: ProjectJob): Promise<ProjectResult[]> {
  return new Promise((resolve, reject) => {
    const results: ProjectResult[] = [];
    const child = fork(CHILD, [JSON.stringify(job)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    child.on('message', (message: ProjectMessage) => {
      if (message.kind === 'result') results.push(message.result);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(results);
      else reject(new Error(`${job.system} job exited with ${signal ?? code}`));
    });
  });
}
