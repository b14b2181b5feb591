import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const main = resolve(import.meta.dirname, '..', 'src', 'main.ts');

/** What a bench run printed: its exit code, its stderr and its `--json` lines. */
export interface BenchRun<L> {
  readonly code: number | null;
  readonly stderr: string;
  readonly lines: L[];
}

/**
 * Runs the bench as `npm run bench -- <args>` does, in a process of its own, on the test's
 * PostgreSQL and NATS when given, and parses every line it prints (pass `--json`).
 *
 * @example
 * const { code, stderr, lines } = await runBench(['lag', '--json', '--seconds', '0.5'], { databaseUrl });
 */
export async function runBench<L = { workload: string }>(
  args: readonly string[],
  services: { readonly databaseUrl?: string | null; readonly natsUrl?: string | null } = {},
): Promise<BenchRun<L>> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (services.databaseUrl) env.DATABASE_URL = services.databaseUrl;
  if (services.natsUrl) env.NATS_URL = services.natsUrl;
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const lines =
    code === 0
      ? stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as L)
      : [];
  return { code, stderr, lines };
}
