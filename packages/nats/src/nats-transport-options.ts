import { type DuetLogger, ValidationError } from '@duet/core';
import { tracedLogger } from '@duet/core/adapters';
import type { NatsConnection } from '@nats-io/transport-node';

/** Options of `openNatsTransport`; each is checked when the transport is opened. */
export interface NatsTransportOptions {
  /** Server URLs, e.g. `nats://127.0.0.1:4222` (several for a cluster). Or pass `connection`. */
  readonly servers?: string | readonly string[];
  /** A connection the caller opened and will close; `close()` leaves it open. */
  readonly connection?: NatsConnection;
  /** The NATS user to log in as (with `password`), e.g. one made by `natsServicePermissions`. Default none. */
  readonly user?: string;
  readonly password?: string;
  /** Publishes awaiting their ack at once (default 256): a bounded window, not one round trip per message. */
  readonly publishWindow?: number;
  /** How long a publish waits for its ack before the batch counts as unavailable (default 5,000 ms). */
  readonly publishTimeoutMs?: number;
  /** Where dead letters go (default stream `DUET_DEAD_LETTERS`, subjects `duet.dead.<consumer>`). */
  readonly deadLetters?: {
    readonly stream?: string;
    readonly subjectPrefix?: string;
    /** Default 1; use 3 in a three-node cluster. */
    readonly replicas?: number;
  };
  /** Where warnings go (a stream meant to be durable with one replica in a cluster). Default `logger.warn`, or `console.warn` without a logger. */
  readonly warn?: (message: string) => void;
  /** A pino-shaped logger for the transport's warnings (`transport: 'nats'` on each line). */
  readonly logger?: DuetLogger;
  /**
   * A namespace for every subject this transport publishes, stores and consumes, e.g.
   * `staging` turns `orders.OrderPlaced` into `staging.orders.OrderPlaced` on the wire
   * (streams' subjects too): several deployments or test runs share one server without
   * their streams' subjects overlapping. Handlers still see `orders.OrderPlaced`. Default none.
   */
  readonly subjectPrefix?: string;
  /**
   * Tenants in subjects: `orders.OrderPlaced` of tenant `acme` travels as
   * `orders.acme.OrderPlaced` (`orders._.OrderPlaced` without a tenant), streams hold
   * `orders.*.>` and consumers' filters get a `*` for the tenant. Broker permissions and
   * stream filters can then pick one tenant of one service (`orders.acme.>`). Deliveries
   * carry the subject's tenant (`message.tenant`), which the consumer checks against the
   * `Duet-Tenant` header. A tenant that is not one subject token is a `ValidationError` on
   * publish. Default false: subjects without tenants, as before.
   */
  readonly tenantSubjects?: boolean;
  /**
   * Where replies to this connection's requests go (default `_INBOX`). Give each service
   * its own (`_INBOX_orders`) so that its credentials can subscribe to its replies and
   * deliveries only (`natsPermissions` assumes `_INBOX_<service>`). Only used when the
   * transport opens the connection.
   */
  readonly inboxPrefix?: string;
}

/** The options, checked, with defaults filled in. */
export interface NatsTransportConfig {
  readonly servers: readonly string[];
  readonly connection: NatsConnection | undefined;
  readonly publishWindow: number;
  readonly publishTimeoutMs: number;
  readonly deadLetterStream: string;
  readonly deadLetterPrefix: string;
  readonly deadLetterReplicas: number;
  readonly warn: (message: string) => void;
  /** '' or the prefix with its trailing dot. */
  readonly subjectPrefix: string;
  readonly tenantSubjects: boolean;
  readonly inboxPrefix: string | undefined;
  readonly login: { readonly user: string; readonly pass: string } | undefined;
}

const streamName = /^[A-Za-z0-9_-]{1,64}$/;
const subjectPrefix = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Checks `openNatsTransport` options; a bad one throws `ValidationError` naming it. */
export function resolveNatsTransportOptions(options: NatsTransportOptions): NatsTransportConfig {
  const fail = (option: string, message: string): never => {
    throw new ValidationError(`nats transport option ${option}`, [{ path: [], message }]);
  };
  if (typeof options !== 'object' || options === null) fail('options', 'expected an object');
  const servers = options.servers === undefined ? [] : [options.servers].flat();
  if (options.connection === undefined && servers.length === 0) {
    fail('servers', 'expected server URLs (e.g. nats://127.0.0.1:4222) or a connection');
  }
  for (const server of servers) {
    if (typeof server !== 'string' || server.length === 0)
      fail('servers', 'expected URLs as strings');
  }
  const whole = (
    option: string,
    value: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ) => {
    const chosen = value ?? fallback;
    if (!Number.isSafeInteger(chosen) || chosen < min || chosen > max) {
      fail(option, `expected a whole number from ${min} to ${max}, got ${String(value)}`);
    }
    return chosen;
  };
  const deadLetterStream = options.deadLetters?.stream ?? 'DUET_DEAD_LETTERS';
  if (!streamName.test(deadLetterStream))
    fail('deadLetters.stream', 'expected letters, digits, _ and -');
  const deadLetterPrefix = options.deadLetters?.subjectPrefix ?? 'duet.dead';
  if (!subjectPrefix.test(deadLetterPrefix))
    fail('deadLetters.subjectPrefix', 'expected subject tokens without wildcards');
  const deadLetterReplicas = options.deadLetters?.replicas ?? 1;
  if (![1, 3, 5].includes(deadLetterReplicas)) fail('deadLetters.replicas', 'expected 1, 3 or 5');
  const namespace = options.subjectPrefix;
  if (namespace !== undefined && (typeof namespace !== 'string' || !subjectPrefix.test(namespace)))
    fail('subjectPrefix', 'expected subject tokens without wildcards, e.g. staging');
  const tenantSubjects = options.tenantSubjects ?? false;
  if (typeof tenantSubjects !== 'boolean') fail('tenantSubjects', 'expected true or false');
  const inboxPrefix = options.inboxPrefix;
  if (
    inboxPrefix !== undefined &&
    (typeof inboxPrefix !== 'string' || !subjectPrefix.test(inboxPrefix))
  )
    fail('inboxPrefix', 'expected subject tokens without wildcards, e.g. _INBOX_orders');
  const { user, password } = options;
  if ((user === undefined) !== (password === undefined))
    fail(user === undefined ? 'user' : 'password', 'expected user and password together');
  if (user !== undefined && (typeof user !== 'string' || user.length === 0))
    fail('user', 'expected a user name');
  if (password !== undefined && typeof password !== 'string') fail('password', 'expected a string');
  return {
    servers,
    connection: options.connection,
    publishWindow: whole('publishWindow', options.publishWindow, 256, 1, 65_536),
    publishTimeoutMs: whole('publishTimeoutMs', options.publishTimeoutMs, 5_000, 10, 600_000),
    deadLetterStream,
    deadLetterPrefix,
    deadLetterReplicas,
    warn: options.warn ?? warnThrough(options.logger),
    subjectPrefix: namespace ? `${namespace}.` : '',
    tenantSubjects,
    inboxPrefix,
    login: user === undefined ? undefined : { user, pass: password as string },
  };
}

function warnThrough(logger: DuetLogger | undefined): (message: string) => void {
  if (logger === undefined) return (message) => console.warn(message);
  const log = tracedLogger(logger, 'option logger');
  return (message) => log.warn({ transport: 'nats' }, message);
}
