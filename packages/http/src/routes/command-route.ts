import {
  type CommandDefinition,
  formatReadToken,
  inTenant,
  MAX_READ_TOKEN_LENGTH,
  ValidationError,
} from '@duet/core';
import type { FastifyInstance, FastifyReply, onRequestAsyncHookHandler } from 'fastify';
import type { Principals } from '../auth/authentication-hooks.ts';
import { findUnknownProperties } from '../body/find-unknown-properties.ts';
import { parseIfMatch } from '../context/parse-if-match.ts';
import { commandContext } from '../context/request-contexts.ts';
import { operationTags, type ResolvedDuetHttpOptions } from '../duet-http-options.ts';
import { requestHash } from '../idempotency/request-hash.ts';
import {
  REPLAYED_HEADER,
  readIdempotencyKey,
  runIdempotently,
} from '../idempotency/run-idempotently.ts';
import { openApiSchema, problemResponses } from '../openapi/route-schemas.ts';

/** The response header that carries a command's position token. */
export const POSITION_HEADER = 'duet-position';
/** The response header that carries a command's read token (with the `readTokens` option). */
export const READ_TOKEN_HEADER = 'duet-read-token';

const REPLY_SCHEMA = {
  type: 'object',
  required: ['stream', 'streamVersion', 'position', 'commandId'],
  properties: {
    stream: { type: 'string' },
    streamVersion: { type: 'integer', description: 'send it back as If-Match: "<version>"' },
    position: { type: 'string', description: 'pass it to queries as minPosition' },
    commandId: { type: 'string' },
    readToken: {
      type: 'string',
      description:
        '<service>@<stream>:<streamVersion>, when the server names its service: pass it to queries of other services as readToken',
    },
  },
};

/**
 * `POST /commands/<type>`: the body is the command's data, checked for unknown properties
 * here and against its schema by the bus. Answers 200 with `{ stream, streamVersion,
 * position, commandId }`, the position also in `Duet-Position` and the version in `ETag`;
 * with `readTokens`, also `readToken` (and `Duet-Read-Token`) naming the write for other
 * services' queries.
 *
 * @example
 * registerCommandRoute(app, PlaceOrder, { options, principals, onRequest });
 */
export function registerCommandRoute(
  app: FastifyInstance,
  definition: CommandDefinition,
  deps: {
    readonly options: ResolvedDuetHttpOptions;
    readonly principals: Principals;
    readonly onRequest: onRequestAsyncHookHandler[];
  },
): void {
  const { options, principals } = deps;
  const jsonSchema = definition.jsonSchema();
  const subject = `command ${definition.type}`;
  const service = options.readTokenServices.get(definition.type);
  const idempotency =
    typeof options.idempotency === 'function'
      ? options.idempotency(definition.type)
      : options.idempotency;
  const headers: Record<string, unknown> = {
    'if-match': { type: 'string', description: 'the stream version you saw, as "<version>"' },
  };
  if (idempotency) {
    headers['idempotency-key'] = {
      type: 'string',
      description: 'runs the command at most once per key',
    };
  }
  app.post(
    `/commands/${definition.type}`,
    {
      onRequest: deps.onRequest,
      bodyLimit: options.bodyLimit,
      schema: {
        tags: operationTags(options, 'command', definition.type),
        operationId: `command${definition.type}`,
        summary: definition.description ?? `Send ${definition.type}`,
        body: openApiSchema(jsonSchema),
        headers: { type: 'object', properties: headers },
        response: {
          200: {
            description: 'The command ran',
            headers: {
              [POSITION_HEADER]: { type: 'string', description: 'the position token' },
              [READ_TOKEN_HEADER]: { type: 'string', description: 'the read token, as readToken' },
              etag: { type: 'string', description: 'the stream version, quoted' },
            },
            ...REPLY_SCHEMA,
          },
          ...problemResponses([400, 401, 403, 404, 409, 410, 412, 413, 415, 422, 429, 500]),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (jsonSchema) {
        const unknown = findUnknownProperties(body, jsonSchema);
        if (unknown.length > 0) throw new ValidationError(subject, unknown);
      }
      const ifMatch = request.headers['if-match'];
      const principal = principals.get(request);
      const context = commandContext(request, principal, parseIfMatch(ifMatch));
      const key = idempotency ? readIdempotencyKey(request.headers['idempotency-key']) : undefined;
      const scope = principal ? `${principal.tenant ?? ''}/${principal.id}` : 'anonymous';
      // What a key stores is the reply's substance, which the append can record itself in
      // its transaction; the response is rebuilt from it the same way each time.
      const execute = async (token?: string): Promise<CommandReply> => {
        const result = await options.commandBus.send(
          { type: definition.type, data: body },
          key === undefined || token === undefined
            ? context
            : { ...context, idempotencyKey: { scope, key, token } },
        );
        const { stream, streamVersion, position, commandId } = result;
        return { stream, streamVersion, position, commandId };
      };
      const run = () =>
        idempotency && key !== undefined
          ? runIdempotently({
              store: idempotency,
              scope,
              key,
              hash: requestHash({
                method: request.method,
                path: request.routeOptions.url ?? request.url,
                ifMatch: typeof ifMatch === 'string' ? ifMatch : undefined,
                body,
              }),
              retryAfterSeconds: options.retryAfterSeconds,
              execute,
            })
          : execute().then((result) => ({ result, replayed: false }));
      // The key's claim and the command run as the principal's tenant: on a tenant-isolated
      // database, keys and streams are each tenant's own.
      const { result, replayed } = await inTenant(principal?.tenant, run);
      const response = commandResponse(result, service);
      // Widened: the route's response schema narrows `code` to the documented statuses.
      (reply as FastifyReply).code(response.status).headers(response.headers);
      if (replayed) reply.header(REPLAYED_HEADER, 'true');
      return response.body;
    },
  );
}

/** What a command's reply is made of, and what an idempotency key stores. */
interface CommandReply {
  readonly stream: string;
  readonly streamVersion: number;
  readonly position: string;
  readonly commandId: string;
}

/** The 200 response of a command: the reply in the body, position and version in headers. */
function commandResponse(
  reply: CommandReply,
  service: string | undefined,
): { status: number; headers: Record<string, string>; body: unknown } {
  const readToken = service === undefined ? undefined : readTokenOf(service, reply);
  return {
    status: 200,
    headers: {
      [POSITION_HEADER]: reply.position,
      etag: `"${reply.streamVersion}"`,
      ...(readToken === undefined ? {} : { [READ_TOKEN_HEADER]: readToken }),
    },
    body: {
      stream: reply.stream,
      streamVersion: reply.streamVersion,
      position: reply.position,
      commandId: reply.commandId,
      ...(readToken === undefined ? {} : { readToken }),
    },
  };
}

/**
 * The read token of a command's write; none for a stream name too long to fit in a token
 * (a query would refuse it), or a command that appended nothing (version 0).
 */
function readTokenOf(
  service: string,
  result: { readonly stream: string; readonly streamVersion: number },
): string | undefined {
  if (result.streamVersion < 1) return undefined;
  const token = formatReadToken({ service, ...result });
  return token.length <= MAX_READ_TOKEN_LENGTH ? token : undefined;
}
