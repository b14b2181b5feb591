// Starting, watching and killing projection-runner-child.ts from a test.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../../../scripts/test-support/bundle-entry.ts';

const CHILD = fileURLToPath(new URL('./projection-runner-child.ts', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface RunnerChildOptions {
  readonly name: string;
  readonly partitions?: number;
  readonly applyDelayMsPerEvent?: number;
  readonly batchSize?: { readonly min?: number; readonly max?: number };
  readonly targetBatchMs?: number;
  /** The runner's heartbeat interval: its record expires 5 of them after a kill. */
  readonly statusIntervalMs?: number;
  /** How often the runner looks for free partitions (`leases.claimIntervalMs`). */
  readonly claimIntervalMs?: number;
  /** The projection's setup empties its tables (a rebuild starts over from empty). */
  readonly clearOnSetup?: boolean;
}

export interface ChildLine {
  readonly event: string;
  readonly status?: unknown;
  readonly [key: string]: unknown;
}

export interface RunnerChild {
  readonly worker: string;
  readonly process: ChildProcessWithoutNullStreams;
  /** Resolves with the first line whose `event` is `event` (rejects if the child exits first). */
  next(event: string): Promise<ChildLine>;
  /** The last status line the child printed, or null. */
  lastStatus(): unknown;
  /** The runner's log lines so far (`event: 'log'`, with `msg` and `time`), oldest first. */
  logs(): readonly ChildLine[];
  stderr(): string;
  /** SIGKILL, then resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the runner stops cleanly), then resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startRunnerChild(
  connectionString: string,
  schema: string,
  worker: string,
  options: RunnerChildOptions,
): RunnerChild {
  const child = spawn(
    process.execPath,
    [bundledEntry(CHILD), connectionString, schema, worker, JSON.stringify(options)],
    { cwd: PACKAGE_ROOT },
  );
  const exited = once(child, 'exit');
  let stderr = '';
  let buffer = '';
  let status: unknown = null;
  const logs: ChildLine[] = [];
  const waiters: { event: string; resolve: (line: ChildLine) => void }[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-10_000);
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const text = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as ChildLine;
      if (line.event === 'status') status = line.status;
      if (line.event === 'log') logs.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i];
        if (waiter?.event === line.event) {
          waiters.splice(i, 1);
          waiter.resolve(line);
        }
      }
    }
  });
  return {
    worker,
    process: child,
    next(event) {
      return Promise.race([
        new Promise<ChildLine>((resolve) => waiters.push({ event, resolve })),
        exited.then(([code, signal]) => {
          throw new Error(
            `runner child ${worker} exited (${String(code ?? signal)}) before "${event}": ${stderr}`,
          );
        }),
      ]);
    },
    lastStatus: () => status,
    logs: () => logs,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
