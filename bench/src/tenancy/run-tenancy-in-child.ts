import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TenancyJob, TenancyMessage, TenancyResult } from './tenancy-config.ts';

const CHILD = fileURLToPath(new URL('./tenancy-child.ts', import.meta.url));

/** Runs one job in a fresh Node process; results reach `onResult` as they arrive. */
export function runTenancyInChild(
  job: TenancyJob,
  onResult: (result: TenancyResult) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(job)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    child.on('message', (message: TenancyMessage) => {
      if (message.kind === 'result') onResult(message.result);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const name = job.kind === 'command' ? `${job.system} command` : 'tenancy';
      if (code === 0) resolve();
      else reject(new Error(`${name} job exited with ${signal ?? code}`));
    });
  });
}
