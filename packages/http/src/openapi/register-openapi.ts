import { asyncApiDocument } from '@duet/core';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { ResolvedDuetHttpOptions } from '../duet-http-options.ts';

/** The name of the authenticator's scheme in the OpenAPI document. */
export const SECURITY_SCHEME = 'duet';

/** Where the OpenAPI document is served as JSON. */
export const OPENAPI_PATH = '/openapi.json';
/** Where the AsyncAPI document of the published integration events is served. */
export const ASYNCAPI_PATH = '/asyncapi.json';

/**
 * Collects every route registered after it into an OpenAPI 3.1 document (route schemas
 * are the definitions' JSON Schemas), serves it at `/openapi.json` and, unless
 * `docsPath` is false, an interactive page whose assets come from the package itself.
 * Must be awaited before the routes are added.
 *
 * @example
 * await registerOpenApi(app, options);
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: ResolvedDuetHttpOptions,
): Promise<void> {
  const { title, version, description } = options.openapi;
  const scheme = options.authenticate?.securityScheme;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title, version, ...(description === undefined ? {} : { description }) },
      tags: documentTags(options),
      // Every operation takes the credentials (optional ones when authentication is not
      // required); the health routes say they need none.
      ...(scheme
        ? {
            // The authenticator's own OpenAPI security scheme object.
            components: { securitySchemes: { [SECURITY_SCHEME]: scheme as never } },
            security: options.requireAuthentication
              ? [{ [SECURITY_SCHEME]: [] }]
              : [{ [SECURITY_SCHEME]: [] }, {}],
          }
        : {}),
    },
    // HEAD twins of GET routes document nothing new.
    exposeHeadRoutes: false,
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  if (options.asyncapi) {
    const document = asyncApiDocument({
      title: options.asyncapi.title ?? title,
      version: options.asyncapi.version ?? version,
      contracts: options.asyncapi.contracts,
      ...(description === undefined ? {} : { description }),
      ...(options.asyncapi.server === undefined ? {} : { server: options.asyncapi.server }),
    });
    app.get(ASYNCAPI_PATH, { schema: { hide: true } }, async () => document);
  }
  if (options.docsPath !== false) {
    await app.register(swaggerUi, {
      routePrefix: options.docsPath,
      uiConfig: { deepLinking: true },
    });
  }
}

/**
 * The document's tags: the caller's, then 'commands' and 'queries' if any route uses them,
 * 'streams' with `streams`, then 'health'.
 */
function documentTags(options: ResolvedDuetHttpOptions) {
  const tagged = new Set((options.openapi.tags ?? []).flatMap((tag) => tag.types));
  const own = (options.openapi.tags ?? []).map(({ name, description }) => ({
    name,
    ...(description === undefined ? {} : { description }),
  }));
  return [
    ...own,
    ...(options.commands.some((c) => !tagged.has(c.type))
      ? [{ name: 'commands', description: 'Change state: one command per route' }]
      : []),
    ...(options.queries.some((q) => !tagged.has(q.type))
      ? [{ name: 'queries', description: 'Read models: GET, POST and live (SSE) per query' }]
      : []),
    ...(options.streams
      ? [{ name: 'streams', description: 'Event streams as stored, read-only, for operators' }]
      : []),
    { name: 'health', description: 'Liveness and readiness' },
  ];
}
