import { ValidationError } from '@duet/core';
import { type ShopServiceName, shopServices } from './open-shop-service.ts';
import { parseRoles, type ServiceRole } from './service-roles.ts';
import type { ShopDeadLetterLayout } from './shop-dead-letters.ts';

/** The port each service listens on by default (`PORT` overrides). */
export const defaultPorts: Readonly<Record<ShopServiceName, number>> = {
  customers: 3001,
  catalog: 3002,
  orders: 3003,
  payments: 3004,
  'order-history': 3005,
};

/** How one service process is set up, from its environment. */
export interface ServiceSettings {
  readonly service: ShopServiceName;
  readonly roles: readonly ServiceRole[];
  readonly databaseUrl: string;
  /** The most connections the process's pool opens (LISTEN and each lease take one more). */
  readonly databasePoolMax: number;
  /** One URL, or several of a cluster. */
  readonly natsUrls: readonly string[];
  /** The service's NATS user and password (`NATS_USER`, `NATS_PASSWORD`), or none. */
  readonly natsLogin: { readonly user: string; readonly password: string } | undefined;
  /** Tenants in subjects (`NATS_TENANT_SUBJECTS=true`): `orders.<tenant>.OrderPlaced`. */
  readonly tenantSubjects: boolean;
  /** One dead-letter stream for all services, or one each (`NATS_DEAD_LETTERS`). */
  readonly deadLetterLayout: ShopDeadLetterLayout;
  readonly host: string;
  readonly port: number;
  /** One name for a whole deployment's schemas, broker streams and subjects, or none. */
  readonly namespace: string | undefined;
  readonly replicas: number;
  readonly payments: {
    readonly failureRate: number;
    readonly latencyMs: { readonly min: number; readonly max: number };
  };
  readonly paymentTimeoutMs: number | undefined;
  /** Requests a principal (or an address) may make per minute [600]. */
  readonly rateLimitPerMinute: number;
  readonly logLevel: string | undefined;
}

const namespacePattern = /^[a-z][a-z0-9_]{0,30}$/;

/**
 * Reads a service process's settings from its environment:
 * `SHOP_SERVICE` (customers, catalog, orders, payments, order-history), `SHOP_ROLES`
 * (command,query,processors; default all), `DATABASE_URL` and `NATS_URL` (both required;
 * NATS_URL may list a cluster's servers, comma-separated), `DATABASE_POOL_MAX` (default 10;
 * PostgreSQL allows 100 connections in all by default, so many processes on one server
 * need less),
 * `HOST`, `PORT` (default per service, 3001-3005), `SHOP_NAMESPACE` (prefixes schemas,
 * streams and subjects, so several shops share a database and a broker), `NATS_REPLICAS`
 * (1, 3 or 5), `NATS_USER` and `NATS_PASSWORD` (the service's NATS user, see
 * docs/nats.md), `NATS_TENANT_SUBJECTS` (`true`: tenants in subjects; default false),
 * `NATS_DEAD_LETTERS` (`shared`, the default, or `per-service`),
 * `SHOP_PAYMENT_FAILURE_RATE` (0-1), `SHOP_PAYMENT_LATENCY_MS` (`n` or
 * `min-max`), `SHOP_PAYMENT_TIMEOUT_MS`, `SHOP_RATE_LIMIT_PER_MINUTE` (per API key; default 600), `LOG_LEVEL`. A missing or bad one is a
 * `ValidationError` that names it.
 *
 * @example
 * const settings = readServiceSettings(process.env);
 */
export function readServiceSettings(env: NodeJS.ProcessEnv): ServiceSettings {
  const issues: { name: string; message: string }[] = [];
  const fail = (name: string, message: string) => {
    issues.push({ name, message });
  };
  const service = env.SHOP_SERVICE as ShopServiceName;
  if (!shopServices.includes(service)) {
    fail('SHOP_SERVICE', `expected one of ${shopServices.join(', ')}`);
  }
  let roles: readonly ServiceRole[] = [];
  try {
    roles = parseRoles(env.SHOP_ROLES);
  } catch (error) {
    fail('SHOP_ROLES', (error as ValidationError).issues[0]?.message ?? 'bad roles');
  }
  const databaseUrl = env.DATABASE_URL ?? '';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    fail(
      'DATABASE_URL',
      'expected postgres://... (each service in its own process needs PostgreSQL)',
    );
  }
  const natsUrls = (env.NATS_URL ?? '').split(',').map((url) => url.trim());
  if (!natsUrls.every((url) => /^(nats|tls):\/\/[^\s,]+$/.test(url))) {
    fail(
      'NATS_URL',
      'expected nats://host:port, or several separated by commas for a cluster (services talk over NATS JetStream)',
    );
  }
  const number = (name: string, fallback: number, ok: (n: number) => boolean, what: string) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!ok(value)) fail(name, `expected ${what}, got ${JSON.stringify(text)}`);
    return value;
  };
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  const port = number(
    'PORT',
    defaultPorts[service] ?? 3000,
    (n) => whole(n) && n <= 65_535,
    'a port number',
  );
  const namespace = env.SHOP_NAMESPACE || undefined;
  if (namespace !== undefined && !namespacePattern.test(namespace)) {
    fail('SHOP_NAMESPACE', 'expected a lower-case name of letters, digits and _, e.g. staging');
  }
  const natsUser = env.NATS_USER || undefined;
  const natsPassword = env.NATS_PASSWORD || undefined;
  if (natsUser !== undefined && natsPassword === undefined)
    fail('NATS_USER', 'expected NATS_PASSWORD with it');
  if (natsPassword !== undefined && natsUser === undefined)
    fail('NATS_PASSWORD', 'expected NATS_USER with it');
  const tenantText = env.NATS_TENANT_SUBJECTS || 'false';
  if (tenantText !== 'true' && tenantText !== 'false') {
    fail('NATS_TENANT_SUBJECTS', `expected true or false, got ${JSON.stringify(tenantText)}`);
  }
  const deadLetterLayout = env.NATS_DEAD_LETTERS || 'shared';
  if (deadLetterLayout !== 'shared' && deadLetterLayout !== 'per-service') {
    fail(
      'NATS_DEAD_LETTERS',
      `expected shared or per-service, got ${JSON.stringify(deadLetterLayout)}`,
    );
  }
  const databasePoolMax = number(
    'DATABASE_POOL_MAX',
    10,
    (n) => whole(n) && n >= 1 && n <= 100,
    'a pool size from 1 to 100',
  );
  const replicas = number('NATS_REPLICAS', 1, (n) => [1, 3, 5].includes(n), '1, 3 or 5');
  const failureRate = number(
    'SHOP_PAYMENT_FAILURE_RATE',
    0,
    (n) => n >= 0 && n <= 1,
    'a share from 0 to 1',
  );
  const latencyText = env.SHOP_PAYMENT_LATENCY_MS ?? '0';
  const latencyMatch = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(latencyText);
  const min = latencyMatch ? Number(latencyMatch[1]) : 0;
  const max = latencyMatch ? Number(latencyMatch[2] ?? latencyMatch[1]) : 0;
  if (!latencyMatch || max < min) {
    fail(
      'SHOP_PAYMENT_LATENCY_MS',
      `expected n or min-max in ms, got ${JSON.stringify(latencyText)}`,
    );
  }
  const timeout = env.SHOP_PAYMENT_TIMEOUT_MS;
  const paymentTimeoutMs =
    timeout === undefined || timeout === ''
      ? undefined
      : number('SHOP_PAYMENT_TIMEOUT_MS', 0, (n) => whole(n) && n >= 100, 'at least 100 ms');
  const rateLimitPerMinute = number(
    'SHOP_RATE_LIMIT_PER_MINUTE',
    600,
    (n) => whole(n) && n >= 1,
    'a whole number of requests per minute',
  );
  if (issues.length > 0) {
    throw new ValidationError(
      'shop service settings',
      issues.map(({ name, message }) => ({ path: [name], message: `${name}: ${message}` })),
    );
  }
  return {
    service,
    roles,
    databaseUrl,
    databasePoolMax,
    natsUrls,
    natsLogin: natsUser && natsPassword ? { user: natsUser, password: natsPassword } : undefined,
    tenantSubjects: tenantText === 'true',
    deadLetterLayout: deadLetterLayout as ShopDeadLetterLayout,
    host: env.HOST ?? '127.0.0.1',
    port,
    namespace,
    replicas,
    payments: { failureRate, latencyMs: { min, max } },
    paymentTimeoutMs,
    rateLimitPerMinute,
    logLevel: env.LOG_LEVEL || undefined,
  };
}
