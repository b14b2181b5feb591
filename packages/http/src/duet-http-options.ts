import {
  type CommandBus,
  type CommandDefinition,
  type Contracts,
  type EventStore,
  formatReadToken,
  type IdempotencyStore,
  type QueryBus,
  type QueryDefinition,
} from '@duet/core';
import type { Authenticate } from './auth/principal.ts';
import type { DrainLimit } from './body/drain-unread-body.ts';

/** What `/health/ready` reports: `ready: false` answers 503. */
export interface Readiness {
  readonly ready: boolean;
  /** Anything useful to an operator, e.g. each projection's lag. */
  readonly details?: unknown;
}

/** Where live queries learn that read models moved (the projection runner provides it). */
export interface LiveSource {
  /** Calls `onChange` whenever one of `projections` moves its checkpoint; returns a stop function. */
  subscribe(projections: readonly string[], onChange: () => void): () => void;
}

/** An OpenAPI tag and the command and query types listed under it. */
export interface OpenApiTag {
  readonly name: string;
  readonly description?: string;
  readonly types: readonly string[];
}

/**
 * Serves the raw streams of event stores, read-only, to principals with one of `roles`:
 * `GET /streams/<name>/<stream>` and `GET /streams/<name>/<stream>/events`.
 */
export interface StreamReadOptions {
  /** Each store under its name in the path, e.g. `{ orders: ordersStore }`. */
  readonly stores: Readonly<Record<string, EventStore>>;
  /** Only principals with one of these roles may read (others: 403 `forbidden`). */
  readonly roles: readonly string[];
}

/** Options of the `duetHttp` Fastify plugin. Defaults are in brackets. */
export interface DuetHttpOptions {
  readonly commandBus: CommandBus;
  readonly queryBus: QueryBus;
  /** One `POST /commands/<type>` route each. */
  readonly commands: readonly CommandDefinition[];
  /** `GET` and `POST /queries/<type>` (and `/live` with `live`) each. */
  readonly queries: readonly QueryDefinition[];
  /** Finds the principal of a request; see `apiKeyAuthentication`, `jwtAuthentication`. */
  readonly authenticate?: Authenticate;
  /** Refuse requests without a principal with 401 [true when `authenticate` is given]. */
  readonly requireAuthentication?: boolean;
  /**
   * Read-your-writes across services: a command's 200 reply also carries `readToken`,
   * `<service>@<stream>:<streamVersion>` (and the `Duet-Read-Token` header), for queries of
   * other services that take in this one's events. `service` names the service that runs
   * the commands: one name, or a function of the command type (undefined: no token for
   * that type), called once per command at registration [no tokens].
   */
  readonly readTokens?: {
    readonly service: string | ((commandType: string) => string | undefined);
  };
  /**
   * Enables the `Idempotency-Key` header on commands: one store, or one per command type
   * (undefined: no key for that type), called once per command at registration. A store
   * in the same database and schema as the store the command appends to completes the key
   * in the append's own transaction; give each service its own so all of them do.
   */
  readonly idempotency?: IdempotencyStore | ((commandType: string) => IdempotencyStore | undefined);
  /** Requests per `timeWindow` (ms or '1 minute') per principal, or per IP when anonymous. */
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number | string };
  /** Largest accepted body in bytes [1 MiB]. */
  readonly bodyLimit?: number;
  /**
   * A body answered before it was read (413 over `bodyLimit`, 415, 401) is read to its end
   * and thrown away, so a client still sending gets the answer instead of a broken pipe;
   * past `bytes` read or `ms` after the answer the connection is closed
   * [64 MiB, 30000 ms].
   */
  readonly drainLimit?: { readonly bytes?: number; readonly ms?: number };
  /** Page-size parameters (`limit`, `pageSize`) above this are lowered to it [100]. */
  readonly maxPageSize?: number;
  /** Seconds clients are told to wait (`Retry-After`) after a stale read or a busy key [1]. */
  readonly retryAfterSeconds?: number;
  /** Checked by `/health/ready` [always ready]. */
  readonly readiness?: () => Promise<Readiness>;
  /** Enables `GET /queries/<type>/live` (Server-Sent Events). */
  readonly live?: LiveSource;
  /** Live queries: comment line interval [15000 ms] and burst coalescing window [50 ms]. */
  readonly liveTiming?: { readonly heartbeatMs?: number; readonly coalesceMs?: number };
  /** The OpenAPI document's info [title 'Duet API', version '0.1.0']. */
  readonly openapi?: {
    readonly title: string;
    readonly version: string;
    readonly description?: string;
    /**
     * Groups operations, e.g. one tag per service served together: a command or query
     * whose type is in a tag's `types` is listed under that tag only [all under
     * 'commands' and 'queries'].
     */
    readonly tags?: readonly OpenApiTag[];
  };
  /**
   * Answer paths no route serves with a 404 `unknown-route` problem (405
   * `method-not-allowed` with `Allow` when the path has other methods) [true when
   * registered with a `prefix`, for paths under it; false without one, leaving the app's
   * 404 handler alone: set true when the app is only this API, and the plugin sets the
   * app's handler].
   */
  readonly notFound?: boolean;
  /** Serves event streams read-only to operators (`StreamReadOptions`) [none]. */
  readonly streams?: StreamReadOptions;
  /** Where the interactive docs page is served, or false for none ['/docs']. */
  readonly docsPath?: string | false;
  /**
   * Serves the AsyncAPI 3.0 document of these services' published integration events at
   * `/asyncapi.json` [none]. Title and version default to the OpenAPI document's.
   */
  readonly asyncapi?: {
    readonly contracts: readonly Contracts[];
    readonly title?: string;
    readonly version?: string;
    /** A NATS server to name in the document, e.g. `nats.example.com:4222`. */
    readonly server?: string;
  };
}

/** The options with defaults applied, checked once at registration. */
export interface ResolvedDuetHttpOptions extends DuetHttpOptions {
  readonly requireAuthentication: boolean;
  readonly bodyLimit: number;
  readonly drainLimit: DrainLimit;
  readonly maxPageSize: number;
  readonly retryAfterSeconds: number;
  readonly heartbeatMs: number;
  readonly coalesceMs: number;
  readonly docsPath: string | false;
  /** The service named in each command type's read tokens (`readTokens`); none: no token. */
  readonly readTokenServices: ReadonlyMap<string, string>;
  readonly openapi: {
    readonly title: string;
    readonly version: string;
    readonly description?: string;
    readonly tags?: readonly OpenApiTag[];
  };
}

/**
 * The OpenAPI tags of a command's or query's routes: its tag from `openapi.tags`, else
 * 'commands' or 'queries'.
 *
 * @example
 * operationTags(options, 'command', 'PlaceOrder') // ['orders'] with an 'orders' tag listing it
 */
export function operationTags(
  options: ResolvedDuetHttpOptions,
  kind: 'command' | 'query',
  type: string,
): string[] {
  const tag = options.openapi.tags?.find((candidate) => candidate.types.includes(type));
  return [tag ? tag.name : kind === 'command' ? 'commands' : 'queries'];
}

/**
 * Applies defaults and refuses a bad option at start-up with a message naming it.
 *
 * @example
 * resolveDuetHttpOptions({ commandBus, queryBus, commands: [], queries: [], bodyLimit: -1 })
 * // TypeError: duetHttp option bodyLimit: expected a whole number of bytes >= 1
 */
export function resolveDuetHttpOptions(options: DuetHttpOptions): ResolvedDuetHttpOptions {
  const fail = (option: string, expected: string) =>
    new TypeError(`duetHttp option ${option}: expected ${expected}`);
  if (typeof options?.commandBus?.send !== 'function') throw fail('commandBus', 'a command bus');
  if (typeof options.queryBus?.ask !== 'function') throw fail('queryBus', 'a query bus');
  if (!Array.isArray(options.commands)) throw fail('commands', 'an array of command definitions');
  if (!Array.isArray(options.queries)) throw fail('queries', 'an array of query definitions');
  for (const [name, list] of [
    ['commands', options.commands],
    ['queries', options.queries],
  ] as const) {
    const types = list.map((definition) => definition.type);
    const bad = types.find(
      (type) => typeof type !== 'string' || !/^[A-Za-z][\w.-]{0,127}$/.test(type),
    );
    if (bad !== undefined)
      throw fail(name, `types that fit in a URL path segment, got ${String(bad)}`);
    if (new Set(types).size !== types.length) throw fail(name, 'each type once');
  }
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw fail('authenticate', 'a function');
  }
  const positive = (name: string, value: unknown, fallback: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw fail(name, 'a whole number >= 1');
    }
    return value;
  };
  if (options.rateLimit !== undefined) positive('rateLimit.max', options.rateLimit.max, 1);
  if (
    options.asyncapi !== undefined &&
    (!Array.isArray(options.asyncapi?.contracts) ||
      options.asyncapi.contracts.some((c) => c?.kind !== 'contracts'))
  ) {
    throw fail('asyncapi.contracts', 'a list of contracts made by defineContracts');
  }
  if (options.live !== undefined && typeof options.live.subscribe !== 'function') {
    throw fail('live', 'an object with subscribe(projections, onChange)');
  }
  const tags = options.openapi?.tags;
  if (
    tags !== undefined &&
    (!Array.isArray(tags) ||
      tags.some((tag) => typeof tag?.name !== 'string' || !Array.isArray(tag.types)) ||
      new Set(tags.map((tag) => tag.name)).size !== tags.length ||
      tags.some((tag) => ['commands', 'queries', 'streams', 'health'].includes(tag.name)))
  ) {
    throw fail(
      'openapi.tags',
      "tags of distinct names other than 'commands', 'queries', 'streams' and 'health', each with types",
    );
  }
  if (options.notFound !== undefined && typeof options.notFound !== 'boolean') {
    throw fail('notFound', 'true or false');
  }
  if (options.streams !== undefined) checkStreamReadOptions(options.streams, fail);
  const readTokenServices = resolveReadTokenServices(options, fail);
  const docsPath = options.docsPath ?? '/docs';
  if (docsPath !== false && !/^\/[\w/-]*$/.test(docsPath))
    throw fail('docsPath', "a path like '/docs' or false");
  return {
    ...options,
    requireAuthentication: options.requireAuthentication ?? options.authenticate !== undefined,
    bodyLimit: positive('bodyLimit', options.bodyLimit, 1024 * 1024),
    drainLimit: {
      bytes: positive('drainLimit.bytes', options.drainLimit?.bytes, 64 * 1024 * 1024),
      ms: positive('drainLimit.ms', options.drainLimit?.ms, 30_000),
    },
    maxPageSize: positive('maxPageSize', options.maxPageSize, 100),
    retryAfterSeconds: positive('retryAfterSeconds', options.retryAfterSeconds, 1),
    heartbeatMs: positive('liveTiming.heartbeatMs', options.liveTiming?.heartbeatMs, 15_000),
    coalesceMs: positive('liveTiming.coalesceMs', options.liveTiming?.coalesceMs, 50),
    docsPath,
    readTokenServices,
    openapi: options.openapi ?? { title: 'Duet API', version: '0.1.0' },
  };
}

/** Each command type's service name for `readTokens`, checked now rather than in a reply. */
function resolveReadTokenServices(
  options: DuetHttpOptions,
  fail: (option: string, expected: string) => TypeError,
): ReadonlyMap<string, string> {
  const services = new Map<string, string>();
  if (options.readTokens === undefined) return services;
  const { service } = options.readTokens ?? {};
  if (typeof service !== 'string' && typeof service !== 'function') {
    throw fail('readTokens.service', 'a service name or a function of the command type');
  }
  for (const { type } of options.commands) {
    const name = typeof service === 'string' ? service : service(type);
    if (name === undefined) continue;
    try {
      formatReadToken({ service: name, stream: 'check', streamVersion: 1 });
    } catch {
      throw fail(
        'readTokens.service',
        `for ${type} a service name of a letter, then letters, digits, _ or -, got ${JSON.stringify(name)}`,
      );
    }
    services.set(type, name);
  }
  return services;
}

function checkStreamReadOptions(
  streams: StreamReadOptions,
  fail: (option: string, expected: string) => TypeError,
): void {
  const stores = streams?.stores;
  if (typeof stores !== 'object' || stores === null || Object.keys(stores).length === 0) {
    throw fail('streams.stores', 'an object of at least one event store by name');
  }
  for (const [name, store] of Object.entries(stores)) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name)) {
      throw fail(
        'streams.stores',
        `names of lower-case letters, digits, _ or -, got ${JSON.stringify(name)}`,
      );
    }
    if (typeof store?.readStream !== 'function' || typeof store.streamInfo !== 'function') {
      throw fail(`streams.stores.${name}`, 'an event store');
    }
  }
  const { roles } = streams;
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    roles.some((role) => typeof role !== 'string')
  ) {
    throw fail('streams.roles', 'at least one role');
  }
}
