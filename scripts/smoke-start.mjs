// Start-up smoke test: `npm start` on a fresh PGlite directory must answer /health/ready
// and stop with exit code 0 on SIGINT. CI runs it under Node 24 too. It measures the
// start-up time and says loudly when it is over the 15 s target (issue 11: "ready within
// 15 s on a quiet machine"); it fails only for a shop that never comes up (a hang guard
// of 300 s, not a speed limit), so a busy machine does not turn a speed figure into a red
// build. CI runs it beside the test suite: there a start took over 60 s (2026-12-06).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const targetMs = 15_000;
const limitMs = 300_000;
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dataDir = mkdtempSync(join(tmpdir(), 'duet-smoke-'));
const env = { ...process.env, PORT: String(port), SHOP_DATA_DIR: dataDir };
delete env.DATABASE_URL;
const child = spawn('npm', ['start'], {
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
let output = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
});
const exited = new Promise((resolve) =>
  child.on('exit', (code, signal) => resolve({ code, signal })),
);

const started = Date.now();
let ready = false;
while (Date.now() - started < limitMs && child.exitCode === null) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    if (response.status === 200) {
      ready = true;
      break;
    }
  } catch {}
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const readyMs = Date.now() - started;
// npm runs the server in a child of its own: signal the whole group, as Ctrl-C does.
process.kill(-child.pid, 'SIGINT');
const stop = await Promise.race([
  exited,
  new Promise((resolve) => setTimeout(() => resolve({ code: 'timeout' }), 10_000)),
]);
if (stop.code === 'timeout') process.kill(-child.pid, 'SIGKILL');
rmSync(dataDir, { recursive: true, force: true });
console.log(output.trim());
if (!ready) {
  console.error(`smoke: not ready within ${limitMs} ms`);
  process.exit(1);
}
// npm itself ends by the same SIGINT (as in a terminal); the server must have said it
// closed everything, and the port must be free again.
const stopped = /^stopped$/m.test(output);
const portFree = await fetch(`http://127.0.0.1:${port}/health/live`).then(
  () => false,
  () => true,
);
if (stop.code === 'timeout' || !stopped || !portFree) {
  console.error(
    `smoke: npm start did not stop cleanly on SIGINT: ${JSON.stringify({ ...stop, stopped, portFree })}`,
  );
  process.exit(1);
}
console.log(`smoke: ready in ${readyMs} ms on node ${process.version}, stopped cleanly`);
if (readyMs > targetMs) {
  console.warn(`smoke: WARNING ready in ${readyMs} ms, over the ${targetMs} ms target`);
}
