import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { removeDeployment, sourceCondition } from '../../test-support/spawn-service.ts';
import { shopServices } from './open-shop-service.ts';

// `npm run start:services`: the five processes of deploy/Procfile come up, each answers
// on its own port, and Ctrl-C (SIGINT to the launcher) stops them all.
const databaseUrl = inject('databaseUrl');
const natsUrl = inject('natsUrl');
const launcher = resolve(import.meta.dirname, '..', '..', 'scripts', 'start-services.mjs');

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [launcher], {
    env: { PATH: process.env.PATH ?? '', ...sourceCondition, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exit };
}

describe('npm run start:services', () => {
  it('given no DATABASE_URL or NATS_URL, then it says what it needs and exits 2', async () => {
    const launched = run({});
    expect(await launched.exit).toBe(2);
    expect(launched.output()).toMatch(/needs DATABASE_URL and NATS_URL/);
  });

  it('given one service process with a bad setting, then it names each bad setting and exits 2 before opening anything', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, 'main-service.ts')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          ...sourceCondition,
          SHOP_SERVICE: 'billing',
          NATS_URL: 'nats://x:4222',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(2);
    expect(errors).toContain('duet shop service: SHOP_SERVICE: expected one of customers');
    expect(errors).toContain('duet shop service: DATABASE_URL: expected postgres://');
    expect(errors).not.toContain('NATS_URL');
  });

  it.skipIf(databaseUrl === null || natsUrl === null)(
    'given PostgreSQL and NATS, then every service of the Procfile serves on its own port, and SIGINT stops them all',
    async () => {
      const namespace = `t_${randomBytes(5).toString('hex')}`;
      const basePort = 20_000 + Math.floor(Math.random() * 20_000);
      const launched = run({
        DATABASE_URL: databaseUrl as string,
        NATS_URL: natsUrl as string,
        SHOP_NAMESPACE: namespace,
        SHOP_BASE_PORT: String(basePort),
      });
      try {
        await expect
          .poll(() => launched.output().match(/ready at /g)?.length ?? 0, {
            timeout: 90_000,
            interval: 100,
          })
          .toBe(shopServices.length);
        for (const [i, service] of shopServices.entries()) {
          expect(launched.output()).toContain(
            `duet shop ${service} [command,query,processors] ready at http://127.0.0.1:${basePort + i}`,
          );
          const live = await fetch(`http://127.0.0.1:${basePort + i}/health/live`);
          expect(live.status).toBe(200);
        }
        launched.child.kill('SIGINT');
        expect(await launched.exit).toBe(0);
        for (const service of shopServices) {
          expect(launched.output()).toContain(`duet shop ${service}: SIGTERM, stopping`);
        }
        await expect(fetch(`http://127.0.0.1:${basePort}/health/live`)).rejects.toThrow();
      } finally {
        launched.child.kill('SIGKILL');
        await removeDeployment({
          databaseUrl: databaseUrl as string,
          natsUrl: natsUrl as string,
          namespace,
        });
      }
    },
    120_000,
  );
});
