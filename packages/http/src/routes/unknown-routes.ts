import { UnknownMessageError } from '@duet/core';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { HttpProblem } from '../problems/http-problem.ts';

/**
 * Catch-alls under `/commands/` and `/queries/`, hidden from OpenAPI: an unknown type is a
 * 404 `unknown-command` / `unknown-query` problem and a known path with the wrong method a
 * 405, instead of Fastify's plain 404. Known routes always win over these wildcards.
 *
 * @example
 * registerUnknownRoutes(app, { commands: ['PlaceOrder'], queries: ['MyOrders'], onRequest });
 */
export function registerUnknownRoutes(
  app: FastifyInstance,
  known: {
    readonly commands: readonly string[];
    readonly queries: readonly string[];
    /** Whether `/queries/<type>/live` routes exist. */
    readonly live: boolean;
    readonly onRequest: onRequestAsyncHookHandler[];
  },
): void {
  const commands = new Set(known.commands);
  const queries = new Set(known.queries);
  const config = { onRequest: known.onRequest, schema: { hide: true } };
  app.all('/commands/*', config, async (request) => {
    const type = (request.params as { '*': string })['*'];
    if (commands.has(type)) {
      throw new HttpProblem('method-not-allowed', `send ${type} with POST`, {
        headers: { allow: 'POST' },
      });
    }
    throw new UnknownMessageError('command', type);
  });
  app.all('/queries/*', config, async (request) => {
    const path = (request.params as { '*': string })['*'];
    const type = known.live && path.endsWith('/live') ? path.slice(0, -'/live'.length) : path;
    if (queries.has(type)) {
      throw new HttpProblem('method-not-allowed', `ask ${type} with GET or POST`, {
        headers: { allow: path === type ? 'GET, POST' : 'GET' },
      });
    }
    throw new UnknownMessageError('query', type);
  });
}
