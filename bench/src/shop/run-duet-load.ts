import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { LoadSummary } from '@duet/cli';
import { benchApiKeys } from './shop-deployment.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = resolve(root, 'packages', 'cli', 'bin', 'duet.mjs');
const config = resolve(root, 'apps', 'shop', 'duet.config.ts');

/**
 * Runs `duet load shop ... --json` against a deployment, as a user would, in a process of
 * its own (its progress lines go to this process's stderr), and returns its summary.
 * `onPhase` hears when the measured window opens (`measuring`) and closes (`draining`).
 *
 * @example
 * const summary = await runDuetLoad(['--url', url, '--clients', '64', '--duration', '30']);
 */
export async function runDuetLoad(
  args: readonly string[],
  onPhase: (phase: 'measuring' | 'draining') => void = () => {},
): Promise<LoadSummary> {
  const env: NodeJS.ProcessEnv = { ...process.env, DUET_API_KEYS: JSON.stringify(benchApiKeys) };
  delete env.DUET_CONFIG;
  const child = spawn(
    process.execPath,
    [bin, 'load', 'shop', '--config', config, '--json', ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  // The progress lines say when the measured window opens and closes.
  const seen = new Set<string>();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    process.stderr.write(chunk.replace(/^(?=.)/gm, '  '));
    for (const phase of ['measuring', 'draining'] as const) {
      if (!seen.has(phase) && chunk.includes(` s ${phase},`)) {
        seen.add(phase);
        onPhase(phase);
      }
    }
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`duet load shop ${args.join(' ')} exited ${code}`);
  return JSON.parse(stdout) as LoadSummary;
}
