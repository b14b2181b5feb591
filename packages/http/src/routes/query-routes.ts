import type { QueryDefinition } from '@duet/core';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
import type { Principals } from '../auth/authentication-hooks.ts';
import {
  MIN_POSITION_HEADER,
  MIN_POSITION_PARAM,
  readMinPosition,
} from '../context/read-min-position.ts';
import { queryContext } from '../context/request-contexts.ts';
import { operationTags, type ResolvedDuetHttpOptions } from '../duet-http-options.ts';
import { openApiSchema, problemResponses } from '../openapi/route-schemas.ts';
import { prepareQueryParams } from '../params/prepare-query-params.ts';

const MIN_POSITION_DOC = {
  type: 'string',
  description: 'a command reply position: answer only once the read models have reached it',
};

/** The query string split into the query's parameters and the consistency token. */
export function splitQueryString(request: FastifyRequest): {
  values: Record<string, string | string[] | undefined>;
  minPosition: unknown;
} {
  const { [MIN_POSITION_PARAM]: minPosition, ...values } = request.query as Record<
    string,
    string | string[] | undefined
  >;
  return { values, minPosition };
}

/**
 * `GET /queries/<type>` (parameters in the query string) and `POST /queries/<type>`
 * (parameters as a JSON body). Both take `minPosition` (query string) or the
 * `Duet-Min-Position` header for read-your-writes.
 *
 * @example
 * registerQueryRoutes(app, MyOrders, { options, principals, onRequest });
 */
export function registerQueryRoutes(
  app: FastifyInstance,
  definition: QueryDefinition,
  deps: {
    readonly options: ResolvedDuetHttpOptions;
    readonly principals: Principals;
    readonly onRequest: onRequestAsyncHookHandler[];
  },
): void {
  const { options, principals } = deps;
  const { params, result } = definition.jsonSchema();
  const paramsSchema = openApiSchema(params);
  const path = `/queries/${definition.type}`;
  const common = {
    tags: operationTags(options, 'query', definition.type),
    summary: definition.description ?? `Ask ${definition.type}`,
    headers: { type: 'object', properties: { [MIN_POSITION_HEADER]: MIN_POSITION_DOC } },
    response: {
      200: { description: 'The answer', ...openApiSchema(result) },
      ...problemResponses([400, 401, 403, 404, 413, 415, 429, 500, 501, 503]),
    },
  };

  const ask = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: unknown,
    minPosition: unknown,
  ) => {
    const controller = new AbortController();
    // A client that gave up should not keep a consistency wait or a read running. (The
    // response's close, not the request's: that one fires as soon as the body is read.)
    reply.raw.once('close', () => controller.abort());
    return (
      (await options.queryBus.ask(
        definition.type,
        input,
        queryContext(
          principals.get(request),
          readMinPosition(request, minPosition),
          controller.signal,
        ),
      )) ?? null
    );
  };

  app.get(
    path,
    {
      onRequest: deps.onRequest,
      schema: {
        ...common,
        operationId: `query${definition.type}`,
        querystring: {
          ...paramsSchema,
          type: 'object',
          properties: {
            ...(paramsSchema.properties as Record<string, unknown> | undefined),
            [MIN_POSITION_PARAM]: MIN_POSITION_DOC,
          },
        },
      },
    },
    async (request, reply) => {
      const { values, minPosition } = splitQueryString(request);
      const input = prepareQueryParams(definition, { from: 'query', values }, options.maxPageSize);
      return ask(request, reply, input, minPosition);
    },
  );

  app.post(
    path,
    {
      onRequest: deps.onRequest,
      bodyLimit: options.bodyLimit,
      schema: {
        ...common,
        operationId: `query${definition.type}Post`,
        body: paramsSchema,
        querystring: { type: 'object', properties: { [MIN_POSITION_PARAM]: MIN_POSITION_DOC } },
      },
    },
    async (request, reply) => {
      const { minPosition } = splitQueryString(request);
      const input = prepareQueryParams(
        definition,
        { from: 'body', value: request.body },
        options.maxPageSize,
      );
      return ask(request, reply, input, minPosition);
    },
  );
}
