import type { QueryDefinition } from '@duet/core';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Principals } from '../auth/authentication-hooks.ts';
import { queryContext } from '../context/request-contexts.ts';
import {
  type LiveSource,
  operationTags,
  type ResolvedDuetHttpOptions,
} from '../duet-http-options.ts';
import { streamLiveQuery } from '../live/live-query-stream.ts';
import { openApiSchema, problemResponses } from '../openapi/route-schemas.ts';
import { prepareQueryParams } from '../params/prepare-query-params.ts';
import { problemForError } from '../problems/problem-for-error.ts';
import { CONSISTENCY_DOCS, splitQueryString } from './query-routes.ts';

/**
 * `GET /queries/<type>/live`: the query's answer as Server-Sent Events, renewed whenever
 * the projections the query reads move. Parameters and consistency as for `GET
 * /queries/<type>`; errors before the first answer are ordinary problem responses.
 *
 * @example
 * registerLiveQueryRoute(app, MyOrders, live, { options, principals, onRequest });
 */
export function registerLiveQueryRoute(
  app: FastifyInstance,
  definition: QueryDefinition,
  live: LiveSource,
  deps: {
    readonly options: ResolvedDuetHttpOptions;
    readonly principals: Principals;
    readonly onRequest: onRequestAsyncHookHandler[];
    /** Streams still open, ended when the server closes (else close would wait for clients). */
    readonly openStreams: Set<() => void>;
  },
): void {
  const { options, principals } = deps;
  const paramsSchema = openApiSchema(definition.jsonSchema().params);
  app.get(
    `/queries/${definition.type}/live`,
    {
      onRequest: deps.onRequest,
      schema: {
        tags: operationTags(options, 'query', definition.type),
        operationId: `query${definition.type}Live`,
        summary: `${definition.type} as Server-Sent Events: the answer, then each change`,
        querystring: {
          ...paramsSchema,
          type: 'object',
          properties: {
            ...(paramsSchema.properties as Record<string, unknown> | undefined),
            ...CONSISTENCY_DOCS.params,
          },
        },
        headers: { type: 'object', properties: CONSISTENCY_DOCS.headers },
        response: {
          200: {
            description: 'event: result, data: the answer as JSON; repeated when it changes',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...problemResponses([400, 401, 403, 404, 429, 500, 501, 503]),
        },
      },
    },
    async (request, reply) => {
      const { values, wanted } = splitQueryString(request);
      const params = prepareQueryParams(definition, { from: 'query', values }, options.maxPageSize);
      const principal = principals.get(request);
      const first = await options.queryBus.ask(
        definition.type,
        params,
        queryContext(principal, wanted, new AbortController().signal),
      );
      // From here the stream is ours: Fastify must not answer this request again.
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const end = streamLiveQuery({
        response: reply.raw,
        first,
        ask: (signal) =>
          options.queryBus.ask(definition.type, params, queryContext(principal, {}, signal)),
        subscribe: (onChange) => live.subscribe(definition.projections, onChange),
        heartbeatMs: options.heartbeatMs,
        coalesceMs: options.coalesceMs,
        problemOf: (error) => {
          const problem = problemForError(error, {
            hadIfMatch: false,
            retryAfterSeconds: options.retryAfterSeconds,
          });
          if (problem.unexpected) request.log.error({ err: error }, 'live query failed');
          return problem.body;
        },
      });
      deps.openStreams.add(end);
      reply.raw.once('close', () => deps.openStreams.delete(end));
    },
  );
}
