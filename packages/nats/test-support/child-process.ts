import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../../../scripts/test-support/bundle-entry.ts';

/** A test's child process that prints JSON lines and can be SIGKILLed. */
export interface TestChild {
  /** Resolves when the child prints `{"event": <name>}`; rejects if it exits first. */
  next(event: string): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `<file> ...args` from this folder, bundled (scripts/test-support/bundle-entry.ts). */
export function startChild(file: string, args: readonly string[]): TestChild {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [bundledEntry(path), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const seen = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const { event } = JSON.parse(line) as { event: string };
      seen.add(event);
      for (const resolve of waiters.get(event) ?? []) resolve();
      waiters.delete(event);
    } catch {
      // Not a JSON line: log output, ignored.
    }
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`${file} exited (${code ?? signal}): ${stderr}`)),
    );
  });
  exited.catch(() => {});
  return {
    next(event) {
      if (seen.has(event)) return Promise.resolve();
      const arrived = new Promise<void>((resolve) => {
        waiters.set(event, [...(waiters.get(event) ?? []), resolve]);
      });
      return Promise.race([arrived, exited]);
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await gone;
    },
  };
}
