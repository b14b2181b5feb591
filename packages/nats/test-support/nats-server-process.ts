import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

// Fault tests start their own nats-server processes (the installed binary) on free ports
// with their own store directories, so they can kill and restart them; the shared server
// on 4222 is never touched.

const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
const clusterConfig = fileURLToPath(
  new URL('../../../deploy/nats/cluster-node.conf', import.meta.url),
);

/** Whether the `nats-server` binary (or NATS_SERVER_BIN) can be run here; fault tests skip without it. */
export function natsServerBinaryFound(): boolean {
  return spawnSync(binary, ['--version']).status === 0;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface NatsServerProcess extends AsyncDisposable {
  readonly url: string;
  readonly name: string;
  /** SIGKILL (default) or SIGTERM, and wait until the process is gone. */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** SIGSTOP: the process stays, with its sockets open, but answers nothing (a long GC or VM stall). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Starts it again on the same port and store directory; resolves once JetStream answers. */
  start(): Promise<void>;
  /** Kills it and removes its store directory. */
  dispose(): Promise<void>;
}

export interface NatsServerOptions {
  /** Default false: no JetStream (to test the error). */
  readonly jetstream?: boolean;
  readonly name?: string;
  /** Cluster membership: this node's cluster port and every node's cluster URL. */
  readonly cluster?: {
    readonly name: string;
    readonly port: number;
    readonly routes: readonly string[];
  };
  /** Skip the JetStream readiness check (a cluster's nodes are ready only together). */
  readonly waitForJetStream?: boolean;
  /** Config file text (e.g. an `authorization` block), written beside the store and passed with `-c`. */
  readonly config?: string;
  /** Environment of the server process (a config's `$VARIABLES`). */
  readonly env?: Readonly<Record<string, string>>;
  /** The user the readiness check logs in as, when `config` requires a login (and its inbox, if restricted). */
  readonly login?: { readonly user: string; readonly pass: string; readonly inboxPrefix?: string };
}

/**
 * Starts `nats-server` on a free port with a store directory of its own.
 *
 * @example
 * await using nats = await startNatsServer({ jetstream: true });
 * await nats.kill('SIGTERM'); await nats.start();
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  const port = await freePort();
  const name = options.name ?? `n${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'duet-nats-'));
  let args = ['-a', '127.0.0.1', '-p', String(port), '-n', name];
  if (options.jetstream !== false) args.push('-js', '-sd', dir);
  if (options.config !== undefined) {
    const file = join(dir, 'server.conf');
    writeFileSync(file, options.config);
    args.push('-c', file);
  }
  const env: Record<string, string> = { ...options.env };
  if (options.cluster) {
    // The cluster runs from the file deploy/ documents, so the documented config is tested.
    args = ['-c', clusterConfig];
    Object.assign(env, {
      NATS_SERVER_NAME: name,
      NATS_LISTEN: `127.0.0.1:${port}`,
      NATS_CLUSTER_LISTEN: `127.0.0.1:${options.cluster.port}`,
      NATS_STORE_DIR: dir,
      NATS_ROUTE_1: options.cluster.routes[0] ?? '',
      NATS_ROUTE_2: options.cluster.routes[1] ?? '',
      NATS_ROUTE_3: options.cluster.routes[2] ?? '',
    });
  }
  let child: ChildProcess | null = null;
  const url = `nats://127.0.0.1:${port}`;
  const server: NatsServerProcess = {
    url,
    name,
    async start() {
      child = spawn(binary, args, {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, ...env },
      });
      let log = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-4_000);
      });
      const exited = new Promise<never>((_, reject) =>
        child!.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${log}`))),
      );
      exited.catch(() => {});
      await Promise.race([
        waitUntilReady(
          url,
          options.jetstream !== false && options.waitForJetStream !== false,
          options.login,
        ),
        exited,
      ]);
    },
    async kill(signal = 'SIGKILL') {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const gone = new Promise((resolve) => running.once('exit', resolve));
      running.kill(signal);
      await gone;
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async dispose() {
      server.resume();
      await server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    [Symbol.asyncDispose]: () => server.dispose(),
  };
  await server.start();
  return server;
}

/** Waits until the server takes connections (and, if asked, answers JetStream requests). */
export async function waitUntilReady(
  url: string,
  jetstream: boolean,
  login?: { readonly user: string; readonly pass: string; readonly inboxPrefix?: string },
): Promise<void> {
  for (;;) {
    try {
      const nc = await connect({ servers: url, timeout: 1_000, reconnect: false, ...login });
      try {
        if (jetstream) await (await jetstreamManager(nc, { timeout: 1_000 })).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Starts a three-node JetStream cluster on free ports; each node can be killed and restarted. */
export async function startNatsCluster(): Promise<NatsServerProcess[] & AsyncDisposable> {
  const clusterPorts = [await freePort(), await freePort(), await freePort()];
  const routes = clusterPorts.map((port) => `nats://127.0.0.1:${port}`);
  const name = `duet_${clusterPorts[0]}`;
  const nodes = await Promise.all(
    clusterPorts.map((port, i) =>
      startNatsServer({
        name: `${name}_n${i + 1}`,
        cluster: { name, port, routes },
        waitForJetStream: false,
      }),
    ),
  );
  // A cluster answers JetStream once its meta leader is elected.
  await Promise.all(nodes.map((node) => waitUntilReady(node.url, true)));
  return Object.assign(nodes, {
    async [Symbol.asyncDispose]() {
      await Promise.all(nodes.map((node) => node.dispose()));
    },
  });
}
