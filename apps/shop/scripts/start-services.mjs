// `npm run start:services`: the shop as microservices, one process per service
// (customers, catalog, orders, payments, order-history), each on its own port and schemas,
// talking over NATS. Needs DATABASE_URL and NATS_URL. Lines are prefixed with the service;
// Ctrl-C stops them all. If one dies, the rest are stopped too (this is a launcher for one
// machine; docs/deploy.md shows systemd units and Kubernetes for real deployments).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const services = ['customers', 'catalog', 'orders', 'payments', 'order-history'];
const basePort = Number(process.env.SHOP_BASE_PORT ?? 3001);
const missing = ['DATABASE_URL', 'NATS_URL'].filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(
    `start:services needs ${missing.join(' and ')}, e.g.\n  DATABASE_URL=postgres://root@127.0.0.1:5432/test NATS_URL=nats://127.0.0.1:4222 npm run start:services\n(npm start runs the whole shop in one process without either)`,
  );
  process.exit(2);
}

const entry = resolve(import.meta.dirname, '..', 'src', 'services', 'main-service.ts');
const children = services.map((service, i) => {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, SHOP_SERVICE: service, PORT: String(basePort + i) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${service}]`.padEnd(16);
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

let stopping = false;
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
