// Test support: the cart API of cart-server.ts in a process of its own, for tests where the
// client must not share the server's event loop (a 413 cut mid-upload showed only so).
// Options as JSON in argv[2]; prints the URL on its first line; exits when stdin closes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { bundledEntry } from '../../../scripts/test-support/bundle-entry.ts';
import type { DuetHttpOptions } from '../src/duet-http-options.ts';
import { startCartServer } from './cart-server.ts';

/**
 * Starts the cart API in a child process and resolves with its URL and a stop function.
 *
 * @example
 * await using server = await spawnCartServer({ bodyLimit: 2_048 });
 * await fetch(`${server.url}/health/live`);
 */
export async function spawnCartServer(options: Partial<DuetHttpOptions> = {}) {
  const child = spawn(
    process.execPath,
    [bundledEntry(import.meta.filename), JSON.stringify(options)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the cart server exited with ${code}`)));
  });
  const stop = async () => {
    child.stdin.end();
    await exited;
  };
  return { url, stop, [Symbol.asyncDispose]: stop };
}

if (process.argv[1] === import.meta.filename) {
  const server = await startCartServer(JSON.parse(process.argv[2] ?? '{}'));
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => void server.close());
}
