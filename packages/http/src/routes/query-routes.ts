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
import {
  READ_TOKEN_PARAM,
  READ_TOKENS_HEADER,
  readRequestTokens,
} from '../context/read-request-tokens.ts';
import { queryContext } from '../context/request-contexts.ts';
import { operationTags, type ResolvedDuetHttpOptions } from '../duet-http-options.ts';
import { openApiSchema, problemResponses } from '../openapi/route-schemas.ts';
import { prepareQueryParams } from '../params/prepare-query-params.ts';

const MIN_POSITION_DOC = {
  type: 'string',
  description: 'a command reply position: answer only once the read models have reached it',
};

const READ_TOKEN_DOC = {
  type: 'array',
  items: { type: 'string' },
  description:
    "a command reply's readToken (another service's write, `<service>@<stream>:<version>`): answer only once this service has taken it in; repeat for more (at most 16)",
};
const READ_TOKENS_HEADER_DOC = {
  type: 'string',
  description: `read tokens as for ${READ_TOKEN_PARAM}, comma-separated (the parameter wins)`,
};

/** The consistency parameters and headers, for a route's OpenAPI schema. */
export const CONSISTENCY_DOCS = {
  params: { [MIN_POSITION_PARAM]: MIN_POSITION_DOC, [READ_TOKEN_PARAM]: READ_TOKEN_DOC },
  headers: {
    [MIN_POSITION_HEADER]: MIN_POSITION_DOC,
    [READ_TOKENS_HEADER]: READ_TOKENS_HEADER_DOC,
  },
};

/** What a query waits for: a position, read tokens, or both (each undefined when absent). */
export interface WantedConsistency {
  readonly minPosition: string | undefined;
  readonly tokens: string[] | undefined;
}

/**
 * The query string split into the query's parameters and what the query must see, read
 * from the parameters or, without them, the headers.
 */
export function splitQueryString(request: FastifyRequest): {
  values: Record<string, string | string[] | undefined>;
  wanted: WantedConsistency;
} {
  const {
    [MIN_POSITION_PARAM]: minPosition,
    [READ_TOKEN_PARAM]: readToken,
    ...values
  } = request.query as Record<string, string | string[] | undefined>;
  return {
    values,
    wanted: {
      minPosition: readMinPosition(request, minPosition),
      tokens: readRequestTokens(request, readToken),
    },
  };
}

/**
 * `GET /queries/<type>` (parameters in the query string) and `POST /queries/<type>`
 * (parameters as a JSON body). Both take, for read-your-writes, `minPosition` (query
 * string) or the `Duet-Min-Position` header, and `readToken` (query string, repeatable)
 * or the `Duet-Read-Tokens` header.
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
    headers: { type: 'object', properties: CONSISTENCY_DOCS.headers },
    response: {
      200: { description: 'The answer', ...openApiSchema(result) },
      ...problemResponses([400, 401, 403, 404, 413, 415, 429, 500, 501, 503]),
    },
  };

  const ask = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: unknown,
    wanted: WantedConsistency,
  ) => {
    const controller = new AbortController();
    // A client that gave up should not keep a consistency wait or a read running. (The
    // response's close, not the request's: that one fires as soon as the body is read.)
    reply.raw.once('close', () => controller.abort());
    return (
      (await options.queryBus.ask(
        definition.type,
        input,
        queryContext(principals.get(request), wanted, controller.signal),
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
            ...CONSISTENCY_DOCS.params,
          },
        },
      },
    },
    async (request, reply) => {
      const { values, wanted } = splitQueryString(request);
      const input = prepareQueryParams(definition, { from: 'query', values }, options.maxPageSize);
      return ask(request, reply, input, wanted);
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
        querystring: { type: 'object', properties: CONSISTENCY_DOCS.params },
      },
    },
    async (request, reply) => {
      const { wanted } = splitQueryString(request);
      const input = prepareQueryParams(
        definition,
        { from: 'body', value: request.body },
        options.maxPageSize,
      );
      return ask(request, reply, input, wanted);
    },
  );
}
