import { connect } from 'node:net';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

// Finds the services the integration tests need, once per run. Without a service its
// tests skip, announced by one line; with CI=true a missing service fails the run.

const databaseUrl = process.env.DUET_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const natsUrl = process.env.DUET_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | null;
    natsUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const [postgres, nats] = await Promise.all([
    reachable(databaseUrl, 5432),
    reachable(natsUrl, 4222),
  ]);
  const missing = [
    postgres ? null : `PostgreSQL at ${databaseUrl} (DUET_TEST_DATABASE_URL)`,
    nats ? null : `NATS at ${natsUrl} (DUET_TEST_NATS_URL)`,
  ].filter((line): line is string => line !== null);
  if (missing.length > 0 && process.env.CI === 'true') {
    throw new Error(`CI=true and these services are unreachable: ${missing.join('; ')}`);
  }
  for (const line of missing) {
    console.warn(`skipping the tests that need ${line}: not reachable`);
  }
  project.provide('databaseUrl', postgres ? databaseUrl : null);
  project.provide('natsUrl', nats ? natsUrl : null);
}
