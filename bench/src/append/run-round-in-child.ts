import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RoundConfig, RoundMessage, ShapeResult } from './round-config.ts';

const CHILD = fileURLToPath(new URL('./system-child.ts', import.meta.url));

/**
 * Runs one round in a fresh Node process (same loader flags as this one) and passes
 * each shape's result to `onResult` as it arrives. The child's stdout goes to our
 * stderr, so nothing but results reaches our stdout.
 */
export function runRoundInChild(
  config: RoundConfig,
  onResult: (result: ShapeResult) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(config)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    child.on('message', (message: RoundMessage) => {
      if (message.kind === 'result') onResult(message.result);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(new Error(`${config.system} round ${config.round} exited with ${signal ?? code}`));
    });
  });
}
