// Test support for the start-up tests: runs the shop as a real process, waits for it to
// answer, and stops it the way Ctrl-C does.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A port nobody listens on now: bind port 0, note what the system gave, let it go. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From the stop signal to the exit. */
  readonly ms: number;
}

export interface ShopProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Polls /health/ready until 200; returns the ms since spawn, or throws at the deadline. */
  waitUntilReady(deadlineMs: number): Promise<number>;
  /** Sends the signal to the whole process group, as a terminal's Ctrl-C does. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
  /** True while any process of the group is alive. */
  groupAlive(): boolean;
  /** SIGKILLs the group if anything is left (test clean-up). */
  kill(): void;
}

// Variables of the caller that would change which database or keys the shop uses.
const shopVariables = ['DATABASE_URL', 'SHOP_DATA_DIR', 'SHOP_API_KEYS', 'PORT', 'HOST'];

/**
 * Spawns `command` in its own process group with the shop's variables set only from `env`.
 *
 * @example
 * const shop = spawnShop('npm', ['start'], { cwd: root, env: { PORT: '4001', SHOP_DATA_DIR } });
 * await shop.waitUntilReady(15_000);
 */
export function spawnShop(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; port: number },
): ShopProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !shopVariables.includes(name)),
  );
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...inherited, ...options.env, PORT: String(options.port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((value) => {
    exit = value;
  });
  const url = `http://127.0.0.1:${options.port}`;
  const pid = child.pid!;

  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  return {
    url,
    child,
    output: () => output,
    groupAlive,
    async waitUntilReady(deadlineMs) {
      while (performance.now() - started < deadlineMs) {
        if (exit !== null) {
          throw new Error(
            `the shop exited (${JSON.stringify(exit)}) before it was ready:\n${output}`,
          );
        }
        try {
          const response = await fetch(`${url}/health/ready`, {
            signal: AbortSignal.timeout(1_000),
          });
          await response.text();
          if (response.status === 200) return performance.now() - started;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`not ready within ${deadlineMs} ms:\n${output}`);
    },
    async stop(signal = 'SIGINT', timeoutMs = 5_000) {
      const sent = performance.now();
      process.kill(-pid, signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`still running ${timeoutMs} ms after ${signal}:\n${output}`)),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([exited, timeout]);
        return { ...result, ms: performance.now() - sent };
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (groupAlive()) process.kill(-pid, 'SIGKILL');
    },
  };
}
