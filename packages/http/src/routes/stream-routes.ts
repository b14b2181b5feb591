import { PassThrough } from 'node:stream';
import {
  type EventStore,
  inTenant,
  type RecordedEvent,
  type StreamInfo,
  ValidationError,
} from '@duet/core';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Principals } from '../auth/authentication-hooks.ts';
import type { Principal } from '../auth/principal.ts';
import type { ResolvedDuetHttpOptions, StreamReadOptions } from '../duet-http-options.ts';
import { problemResponses } from '../openapi/route-schemas.ts';
import { HttpProblem } from '../problems/http-problem.ts';

/** The media type of a whole stream sent as one event per line. */
export const NDJSON = 'application/x-ndjson';

// Lines are written in chunks of about this many characters: one write per event would
// cost a million writes for a million events.
const CHUNK_CHARS = 64 * 1024;

const EVENT_SCHEMA = {
  type: 'object',
  required: ['id', 'type', 'stream', 'streamVersion', 'position', 'schemaVersion', 'data'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    stream: { type: 'string' },
    streamVersion: { type: 'integer' },
    position: { type: 'string' },
    schemaVersion: { type: 'integer' },
    data: {},
    metadata: { type: 'object' },
  },
};

const INFO_SCHEMA = {
  type: 'object',
  required: ['stream', 'version', 'position', 'createdAt', 'updatedAt'],
  properties: {
    stream: { type: 'string' },
    version: { type: 'integer', description: 'the number of events in the stream' },
    position: { type: 'string', description: 'the position of its last event' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
};

const PAGE_SCHEMA = {
  type: 'object',
  required: ['stream', 'version', 'events', 'next'],
  properties: {
    stream: { type: 'string' },
    version: { type: 'integer', description: 'the stream version the page was read at' },
    events: { type: 'array', items: EVENT_SCHEMA },
    next: {
      type: ['integer', 'null'],
      description: 'fromVersion of the next page in the same direction, or null after the last',
    },
  },
};

const STREAM_PARAM = {
  type: 'object',
  required: ['stream'],
  properties: { stream: { type: 'string', minLength: 1, maxLength: 500 } },
};

const PAGE_PARAMS = {
  type: 'object',
  properties: {
    fromVersion: {
      type: 'integer',
      minimum: 1,
      description: 'first version to return [forward: 1; backward: the last]',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      description: `events per page (lowered to the server's page size); with Accept: ${NDJSON} at most this many [all]`,
    },
    direction: { type: 'string', enum: ['forward', 'backward'], description: '[forward]' },
  },
};

interface PageParams {
  readonly fromVersion: number | undefined;
  readonly limit: number | undefined;
  readonly direction: 'forward' | 'backward';
}

/**
 * For operators and support staff: `GET /streams/<store>/<stream>` (the stream's version
 * and times, `ETag` its version) and `GET /streams/<store>/<stream>/events` (its events
 * in version order, a page of JSON, or with `Accept: application/x-ndjson` the whole
 * stream as one event per line, read page by page with backpressure, so a stream of
 * any length is sent in constant memory). Every read sees the stream as it was at the
 * request: events appended meanwhile are left out. Only principals with one of
 * `roles` may read, and they read their own tenant's streams only: another tenant's
 * stream is a 404 like a missing one.
 *
 * @example
 * registerStreamRoutes(app, { stores: { orders: store }, roles: ['staff'] }, deps);
 */
export function registerStreamRoutes(
  app: FastifyInstance,
  streams: StreamReadOptions,
  deps: {
    readonly options: ResolvedDuetHttpOptions;
    readonly principals: Principals;
    readonly onRequest: onRequestAsyncHookHandler[];
  },
): void {
  const { options, principals } = deps;
  for (const [name, store] of Object.entries(streams.stores)) {
    const base = `/streams/${name}/:stream`;
    const common = { tags: ['streams'], params: STREAM_PARAM };
    const refusals = problemResponses([400, 401, 403, 404, 429, 500]);

    app.get(
      base,
      {
        onRequest: deps.onRequest,
        schema: {
          ...common,
          operationId: `streamInfo_${operationName(name)}`,
          summary: `A ${name} stream's version and times`,
          response: { 200: { description: "The stream's version", ...INFO_SCHEMA }, ...refusals },
        },
      },
      async (request, reply) => {
        const principal = allowedPrincipal(request, principals, streams.roles);
        const info = await asTenant(principal, () => requireStream(store, streamOf(request)));
        void reply.header('etag', `"${info.version}"`);
        return info;
      },
    );

    app.get(
      `${base}/events`,
      {
        onRequest: deps.onRequest,
        schema: {
          ...common,
          operationId: `readStream_${operationName(name)}`,
          summary: `A ${name} stream's events`,
          querystring: PAGE_PARAMS,
          response: {
            200: {
              description: `A page of events, or with Accept: ${NDJSON} every event, one JSON object per line`,
              content: {
                'application/json': { schema: PAGE_SCHEMA },
                [NDJSON]: { schema: { type: 'string' } },
              },
            },
            ...refusals,
          },
        },
      },
      async (request, reply) => {
        const principal = allowedPrincipal(request, principals, streams.roles);
        const page = readPageParams(request.query);
        const stream = streamOf(request);
        const whole = acceptsNdjson(request);
        return asTenant(principal, async () => {
          const info = await requireStream(store, stream);
          void reply.header('etag', `"${info.version}"`);
          const direction = page.direction;
          const bound = { toVersion: direction === 'forward' ? info.version : 1 };
          const from = {
            fromVersion: page.fromVersion ?? (direction === 'forward' ? 1 : info.version),
          };
          if (whole) {
            const controller = new AbortController();
            reply.raw.once('close', () => controller.abort());
            const events = store.readStream(stream, {
              direction,
              ...from,
              ...bound,
              ...(page.limit === undefined ? {} : { maxCount: page.limit }),
              signal: controller.signal,
            });
            return reply.type(`${NDJSON}; charset=utf-8`).send(sendLines(events, request));
          }
          const limit = Math.min(page.limit ?? options.maxPageSize, options.maxPageSize);
          const events: WireEvent[] = [];
          for await (const event of store.readStream(stream, {
            direction,
            ...from,
            ...bound,
            maxCount: limit,
            pageSize: limit,
          })) {
            events.push(wireEvent(event));
          }
          const last = events.at(-1)?.streamVersion;
          const next =
            last === undefined || events.length < limit
              ? null
              : direction === 'forward'
                ? last < info.version
                  ? last + 1
                  : null
                : last > 1
                  ? last - 1
                  : null;
          return { stream: info.stream, version: info.version, events, next };
        });
      },
    );
  }
}

/** An event as the stream routes send it: the envelope and the domain event, nothing else. */
type WireEvent = Pick<
  RecordedEvent,
  'id' | 'type' | 'stream' | 'streamVersion' | 'position' | 'schemaVersion' | 'data' | 'metadata'
>;

function wireEvent(event: RecordedEvent): WireEvent {
  const { id, type, stream, streamVersion, position, schemaVersion, data, metadata } = event;
  return { id, type, stream, streamVersion, position, schemaVersion, data, metadata };
}

/**
 * The events as lines, written by a loop that runs in the caller's tenant scope (a
 * readable's own reads would run in whatever scope the socket's drain fires in) and waits
 * for the client whenever the socket's buffer is full. A failure after the first byte
 * cuts the response short (no final chunk), which every HTTP client reports as an error.
 */
function sendLines(events: AsyncIterable<RecordedEvent>, request: FastifyRequest): PassThrough {
  const out = new PassThrough();
  const pump = async () => {
    let buffer = '';
    for await (const event of events) {
      buffer += `${JSON.stringify(wireEvent(event))}\n`;
      if (buffer.length < CHUNK_CHARS) continue;
      if (out.destroyed) return;
      const full = !out.write(buffer);
      buffer = '';
      if (full) await drainedOrClosed(out);
    }
    if (!out.destroyed) out.end(buffer);
  };
  pump().catch((error: unknown) => {
    request.log.error({ err: error }, 'stream read failed after the response started');
    out.destroy(error as Error);
  });
  return out;
}

/** Resolves when `out` can take more, or is gone; leaves no listener behind either way. */
function drainedOrClosed(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

function allowedPrincipal(
  request: FastifyRequest,
  principals: Principals,
  roles: readonly string[],
): Principal | undefined {
  const principal = principals.get(request);
  if (!principal?.roles.some((role) => roles.includes(role))) {
    throw new HttpProblem(
      'forbidden',
      `reading streams needs one of the roles: ${roles.join(', ')}`,
    );
  }
  return principal;
}

/** Runs `fn` as the principal's tenant, or in the caller's scope for a principal of none. */
function asTenant<T>(principal: Principal | undefined, fn: () => Promise<T>): Promise<T> {
  return inTenant(principal?.tenant, fn);
}

async function requireStream(store: EventStore, stream: string): Promise<StreamInfo> {
  const info = await store.streamInfo(stream);
  if (info === null) throw new HttpProblem('not-found', `no stream ${JSON.stringify(stream)}`);
  return info;
}

function streamOf(request: FastifyRequest): string {
  return (request.params as { stream: string }).stream;
}

function acceptsNdjson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes(NDJSON);
}

const VERSION = /^[1-9]\d{0,15}$/;

/** The query string, checked whole: an unknown or malformed parameter is a 400 naming it. */
function readPageParams(query: unknown): PageParams {
  const issues: { path: string[]; message: string }[] = [];
  const values = (query ?? {}) as Record<string, unknown>;
  const whole = (name: string): number | undefined => {
    const value = values[name];
    if (value === undefined) return undefined;
    if (
      typeof value === 'string' &&
      VERSION.test(value) &&
      Number(value) <= Number.MAX_SAFE_INTEGER
    ) {
      return Number(value);
    }
    issues.push({ path: [name], message: 'expected a whole number >= 1' });
    return undefined;
  };
  const fromVersion = whole('fromVersion');
  const limit = whole('limit');
  const direction = values.direction ?? 'forward';
  if (direction !== 'forward' && direction !== 'backward') {
    issues.push({ path: ['direction'], message: "expected 'forward' or 'backward'" });
  }
  for (const name of Object.keys(values)) {
    if (!['fromVersion', 'limit', 'direction'].includes(name)) {
      issues.push({ path: [name], message: 'unknown parameter' });
    }
  }
  if (issues.length > 0) throw new ValidationError('stream read parameters', issues);
  return { fromVersion, limit, direction: direction as 'forward' | 'backward' };
}

/** A store's name as part of an OpenAPI operation id. */
function operationName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}
