// Test support: the whole shop as one process per service (orders split into its API and
// its processors), under a namespace of its own, with a way to kill and restart any one.
import { randomBytes } from 'node:crypto';
import {
  removeDeployment,
  type ServiceDeployment,
  type ServiceProcess,
  spawnService,
} from './spawn-service.ts';

/** The processes of a deployment: a service each, and orders as two. */
export type ShopProcessName =
  | 'customers'
  | 'catalog'
  | 'payments'
  | 'order-history'
  | 'orders-api'
  | 'orders-processors';

const processes: Record<ShopProcessName, { service: string; env: Record<string, string> }> = {
  customers: { service: 'customers', env: {} },
  catalog: { service: 'catalog', env: {} },
  payments: { service: 'payments', env: {} },
  'order-history': { service: 'order-history', env: {} },
  // Killing the command side only makes clients retry: the processors hold the saga.
  'orders-api': { service: 'orders', env: { SHOP_ROLES: 'command,query' } },
  'orders-processors': { service: 'orders', env: { SHOP_ROLES: 'processors' } },
};

export interface ShopDeployment {
  readonly deployment: ServiceDeployment;
  /** The base URL of a running process. */
  url(name: ShopProcessName): string;
  /** Stops a process with `signal` (SIGKILL: no clean-up at all) and waits for its exit. */
  stop(name: ShopProcessName, signal: NodeJS.Signals): Promise<void>;
  /** Starts a process that was stopped, with the same settings. */
  start(name: ShopProcessName): Promise<void>;
  /** Kills every process and drops the namespace's schemas and streams. */
  close(): Promise<void>;
}

/**
 * Starts every process of the shop on a fresh namespace; `env` adds settings to all.
 *
 * @example
 * const shop = await startShopDeployment({ databaseUrl, natsUrl });
 * await shop.stop('payments', 'SIGKILL');
 * await shop.start('payments');
 */
export async function startShopDeployment(options: {
  databaseUrl: string;
  natsUrl: string;
  env?: Record<string, string>;
}): Promise<ShopDeployment> {
  const deployment: ServiceDeployment = {
    databaseUrl: options.databaseUrl,
    natsUrl: options.natsUrl,
    namespace: `t_${randomBytes(5).toString('hex')}`,
  };
  const running = new Map<ShopProcessName, ServiceProcess>();
  const start = async (name: ShopProcessName) => {
    const { service, env } = processes[name];
    running.set(name, await spawnService(deployment, service, { ...options.env, ...env }));
  };
  const close = async () => {
    await Promise.all([...running.values()].map((child) => child.stop('SIGKILL')));
    running.clear();
    await removeDeployment(deployment);
  };
  // All settled before any clean-up: a process still starting when another failed would
  // otherwise come up after close() and outlive the test.
  const started = await Promise.allSettled(
    Object.keys(processes).map((name) => start(name as ShopProcessName)),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  return {
    deployment,
    url(name) {
      const child = running.get(name);
      if (!child) throw new Error(`${name} is not running`);
      return child.url;
    },
    async stop(name, signal) {
      await running.get(name)?.stop(signal);
      running.delete(name);
    },
    start,
    close,
  };
}
