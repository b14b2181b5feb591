// `npm run start:services`: the shop as microservices, one process per service, as
// deploy/Procfile lists them (any Procfile runner, such as honcho or overmind, does the
// same). Each service has its own port and schemas and they talk over NATS, so
// DATABASE_URL and NATS_URL must be set. Lines are prefixed with the service; Ctrl-C stops
// them all, and if one dies the rest are stopped too. SHOP_BASE_PORT moves the ports
// (base, base+1, ...). docs/deploy.md shows systemd units and Kubernetes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..', '..');
const missing = ['DATABASE_URL', 'NATS_URL'].filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(
    `start:services needs ${missing.join(' and ')}, e.g.\n  DATABASE_URL=postgres://root@127.0.0.1:5432/test NATS_URL=nats://127.0.0.1:4222 npm run start:services\n(npm start runs the whole shop in one process without either)`,
  );
  process.exit(2);
}

// `name: VAR=value ... command args`, one process per line.
const entries = readFileSync(resolve(root, 'deploy', 'Procfile'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => {
    const [name, rest] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
    const words = rest.trim().split(/\s+/);
    const env = {};
    while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
      const [key, ...value] = words.shift().split('=');
      env[key] = value.join('=');
    }
    return { name: name.trim(), env, command: words[0], args: words.slice(1) };
  });

const basePort = process.env.SHOP_BASE_PORT ? Number(process.env.SHOP_BASE_PORT) : undefined;
let stopping = false;
const children = entries.map((entry, i) => {
  const env = { ...process.env, ...entry.env };
  if (basePort !== undefined) env.PORT = String(basePort + i);
  const command = entry.command === 'node' ? process.execPath : entry.command;
  const child = spawn(command, entry.args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${entry.name}]`.padEnd(16);
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    let rest = '';
    from.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) to.write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix} exited (${signal ?? code}); stopping the others`);
      void stopAll(1);
    }
  });
  return child;
});

async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(exitCode);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
