import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./runner-child.ts', import.meta.url));

/** What runner-child.ts tells the bench. */
export type RunnerChildMessage =
  | { readonly kind: 'ready'; readonly pid: number }
  | {
      readonly kind: 'batch';
      readonly ms: number;
      readonly applied: number;
      /** Round trips of the child's pool so far. */
      readonly roundTrips: number;
    };

/** The projection runner in a process of its own, and what it reported so far. */
export interface RunnerProcess {
  readonly pid: number;
  /** Batches the runner committed, and their total milliseconds and events. */
  readonly batches: { count: number; ms: number; events: number };
  roundTrips(): number;
  /** Asks the runner to close and waits for the process to end. */
  stop(): Promise<void>;
}

/**
 * Starts runner-child.ts (with this process's Node options, so tsx loads it) and resolves
 * once its runner has started.
 */
export async function startRunnerProcess(
  connectionString: string,
  schema: string,
): Promise<RunnerProcess> {
  const child = fork(CHILD, [connectionString, schema], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const batches = { count: 0, ms: 0, events: 0 };
  let roundTrips = 0;
  const pid = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: RunnerChildMessage) => {
      if (message.kind === 'ready') resolve(message.pid);
      else {
        batches.count += 1;
        batches.ms += message.ms;
        batches.events += message.applied;
        roundTrips = message.roundTrips;
      }
    });
    child.once('error', reject);
    void exited.then(([code]) => reject(new Error(`the lag runner exited with ${code}`)));
  });
  return {
    pid,
    batches,
    roundTrips: () => roundTrips,
    async stop() {
      if (child.exitCode === null) child.send('stop');
      const [code] = await exited;
      if (code !== 0) throw new Error(`the lag runner exited with ${code}`);
    },
  };
}
