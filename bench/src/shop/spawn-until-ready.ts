import { type ChildProcess, spawn } from 'node:child_process';

// The bench's NODE_OPTIONS (npm sets `--conditions=@duet/source` from .npmrc) for children
// given an environment of their own: they load the packages' sources, as the bench does.
const sourceCondition: Record<string, string> =
  process.env.NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.NODE_OPTIONS };

/** A process the bench started, once it said it is ready. */
export interface ReadyProcess {
  readonly child: ChildProcess;
  /** The match of the ready pattern on its output. */
  readonly ready: RegExpExecArray;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node <args>` with exactly `env` (plus PATH) and resolves once `pattern` shows on
 * its stdout; rejects, with what it printed, if it exits first or takes over `timeoutMs`.
 *
 * @example
 * const shop = await spawnUntilReady(['--import', 'tsx', entry], env, /ready at (\S+)/, 120_000);
 */
export function spawnUntilReady(
  args: readonly string[],
  env: Record<string, string>,
  pattern: RegExp,
  timeoutMs: number,
): Promise<ReadyProcess> {
  const child = spawn(process.execPath, [...args], {
    env: { PATH: process.env.PATH ?? '', ...sourceCondition, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`not ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) before it was ready:\n${output}`));
    };
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = settled ? null : pattern.exec(output);
      if (ready) {
        settled = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, ready, output: () => output, stop });
      }
    });
  });
}
