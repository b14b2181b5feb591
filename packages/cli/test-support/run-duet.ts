import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { bundledEntry } from '../../../scripts/test-support/bundle-entry.ts';

const bin = resolve(import.meta.dirname, '..', 'bin', 'duet.mjs');

/** What a finished `duet` run printed and exited with. */
export interface DuetResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `duet` (for `events tail`): its output so far and ways to wait on it. */
export interface RunningDuet {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` has appeared on the stream, or rejects after `timeoutMs`. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<DuetResult>;
}

// The environment of the test process minus anything that would pick a database for the
// CLI behind the test's back; output is never a terminal here.
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'DUET_PGLITE',
    'DUET_SCHEMA',
    'DUET_TENANT',
    'DUET_CONFIG',
    'FORCE_COLOR',
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/**
 * Starts the binary, `bin/duet.mjs` with the sources it imports bundled into one module
 * (as the published package's build does): `duet --help` costs 0.3 s of CPU so, against
 * 1.4 s with tsx loading each source file (scripts/test-support/bundle-entry.ts).
 *
 * @example
 * const duet = startDuet(['events', 'tail', '--pglite', dir]);
 * await duet.waitFor('stderr', /following/);
 */
export function startDuet(args: readonly string[], env: Record<string, string> = {}): RunningDuet {
  const child = spawn(process.execPath, [bundledEntry(bin), ...args], { env: cleanEnv(env) });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<DuetResult>((resolveExit) => {
    child.on('close', (code, signal) => resolveExit({ code, signal, stdout: out, stderr: err }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(stream, pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stream === 'stdout' ? out : err)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${pattern} on ${stream} (stdout: ${out}; stderr: ${err})`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Runs the binary to the end. */
export function runDuet(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<DuetResult> {
  return startDuet(args, env).exited;
}
