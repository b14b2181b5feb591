import type { FastifyInstance, HTTPMethods } from 'fastify';
import { OPENAPI_PATH } from '../openapi/register-openapi.ts';
import { HttpProblem } from '../problems/http-problem.ts';

const METHODS: readonly HTTPMethods[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
];

/**
 * Makes the plugin's instance answer a path no route serves with problems instead of
 * Fastify's plain JSON: a 405 `method-not-allowed` with `Allow` when the path has routes
 * for other methods, else a 404 `unknown-route` pointing at the OpenAPI document. Fastify
 * scopes a not-found handler to the prefix the plugin was registered under (the whole
 * app without one), so the app's own handler keeps every other path.
 *
 * @example
 * setProblemNotFoundHandler(app); // GET /api/nope → 404 urn:duet:problem:unknown-route
 */
export function setProblemNotFoundHandler(app: FastifyInstance): void {
  const openapi = `${app.prefix}${OPENAPI_PATH}`;
  app.setNotFoundHandler(async (request) => {
    const path = request.url.split('?')[0] ?? request.url;
    // findRoute matches a concrete path as the router does; the catch-alls under
    // /commands/ and /queries/ answer their own paths before this handler is reached.
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      throw new HttpProblem('method-not-allowed', `${path} takes ${allowed.join(', ')}`, {
        headers: { allow: allowed.join(', ') },
      });
    }
    throw new HttpProblem(
      'unknown-route',
      `no route serves ${request.method} ${path}; the API's routes are in ${openapi}`,
    );
  });
}
