// Test support: one shop service as its own process (src/services/main-service.ts), as
// `npm run start:services` runs it, on PostgreSQL and NATS under a namespace of the test's.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { bundledEntry } from '../../../scripts/test-support/bundle-entry.ts';
import { testPrincipals } from './shop-test-server.ts';

const entry = resolve(import.meta.dirname, '..', 'src', 'services', 'main-service.ts');

/**
 * NODE_OPTIONS of the test process for a child given an environment of its own: it holds
 * `--conditions=@duet/source` (vitest.config.ts), without which a child would import the
 * packages' built dist/, which a fresh clone does not have.
 */
export const sourceCondition: Record<string, string> =
  process.env.NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.NODE_OPTIONS };

export interface ServiceProcess {
  readonly service: string;
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM (graceful) or SIGKILL; resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Where the services of one test run live: one namespace for schemas, streams and subjects. */
export interface ServiceDeployment {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly namespace: string;
}

/**
 * Starts one service process and resolves once it printed its `ready` line (it listens on
 * a port of the system's choosing). `env` adds settings such as `SHOP_ROLES`.
 *
 * @example
 * const orders = await spawnService(deployment, 'orders', { SHOP_ROLES: 'command' });
 */
export function spawnService(
  deployment: ServiceDeployment,
  service: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [bundledEntry(entry)], {
    env: {
      PATH: process.env.PATH ?? '',
      ...sourceCondition,
      SHOP_SERVICE: service,
      DATABASE_URL: deployment.databaseUrl,
      NATS_URL: deployment.natsUrl,
      SHOP_NAMESPACE: deployment.namespace,
      SHOP_API_KEYS: JSON.stringify(testPrincipals),
      PORT: '0',
      // Small pools: a test run starts several deployments of six to eight processes each
      // on one server, and PostgreSQL allows 100 connections in all.
      DATABASE_POOL_MAX: '3',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready at (http:\/\/\S+) in/.exec(output);
      if (ready) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => {
          output += more.toString();
        });
        resolveReady({
          service,
          url: ready[1]!,
          child,
          output: () => output,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${service} exited (${signal ?? code}) before it was ready:\n${output}`)),
    );
  });
}

/** Drops the namespace's schemas and deletes its broker streams. */
export async function removeDeployment(deployment: ServiceDeployment): Promise<void> {
  const client = new pg.Client({ connectionString: deployment.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      'SELECT nspname FROM pg_namespace WHERE nspname LIKE $1',
      [`${deployment.namespace}\\_%`],
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
  } finally {
    await client.end();
  }
  const nc = await connect({ servers: deployment.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = `${deployment.namespace.toUpperCase()}_`;
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) await jsm.streams.delete(name).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}
