import { ValidationError } from '@duet/core';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify';
import { authenticationHooks, type Principals } from './auth/authentication-hooks.ts';
import { drainUnreadBody } from './body/drain-unread-body.ts';
import { findUnstorableText } from './body/find-unstorable-text.ts';
import {
  type DuetHttpOptions,
  type ResolvedDuetHttpOptions,
  resolveDuetHttpOptions,
} from './duet-http-options.ts';
import { registerOpenApi } from './openapi/register-openapi.ts';
import { HttpProblem } from './problems/http-problem.ts';
import { sendProblem } from './problems/send-problem.ts';
import { registerCommandRoute } from './routes/command-route.ts';
import { registerHealthRoutes } from './routes/health-routes.ts';
import { registerLiveQueryRoute } from './routes/live-query-route.ts';
import { setProblemNotFoundHandler } from './routes/not-found-handler.ts';
import { registerQueryRoutes } from './routes/query-routes.ts';
import { registerStreamRoutes } from './routes/stream-routes.ts';
import { registerUnknownRoutes } from './routes/unknown-routes.ts';
import { traceRoutes } from './tracing/trace-routes.ts';

/**
 * The Fastify plugin that serves a service's commands and queries over HTTP: one route per
 * definition, problem+json errors, authentication, idempotency keys, read-your-writes,
 * rate limits, OpenAPI with a docs page, health checks and live queries. It is
 * encapsulated: its error handler, JSON parser and hooks apply to its own routes only,
 * so it can sit beside other routes or under a `prefix`.
 *
 * @example
 * const app = Fastify();
 * await app.register(duetHttp, { commandBus, queryBus, commands: [PlaceOrder], queries: [MyOrders],
 *   authenticate: apiKeyAuthentication({ keys }) });
 * await app.listen({ port: 3000 });
 */
export const duetHttp: FastifyPluginAsync<DuetHttpOptions> = async (app, rawOptions) => {
  const options = resolveDuetHttpOptions(rawOptions);
  const principals: Principals = new WeakMap();

  setUpParsingAndErrors(app, options);
  await registerOpenApi(app, options);

  const hooks = authenticationHooks({
    authenticate: options.authenticate,
    required: options.requireAuthentication,
    principals,
  });
  const onRequest: onRequestAsyncHookHandler[] = [hooks.identify];
  if (options.rateLimit) {
    await app.register(rateLimit, { global: false });
    onRequest.push(
      app.rateLimit({
        max: options.rateLimit.max,
        timeWindow: options.rateLimit.timeWindow,
        // Per principal when known, so users behind one proxy do not share a budget.
        keyGenerator: (request) => {
          const principal = principals.get(request);
          return principal
            ? `principal:${principal.tenant ?? ''}/${principal.id}`
            : `ip:${request.ip}`;
        },
        errorResponseBuilder: (_request, context) =>
          new HttpProblem('rate-limited', `too many requests; retry in ${context.after}`, {
            headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
            status: context.statusCode,
          }),
      }) as onRequestAsyncHookHandler,
    );
  }
  onRequest.push(hooks.require);

  traceRoutes(app);
  const deps = { options, principals, onRequest };
  for (const definition of options.commands) registerCommandRoute(app, definition, deps);
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of openStreams) end();
  });
  for (const definition of options.queries) {
    registerQueryRoutes(app, definition, deps);
    if (options.live) {
      registerLiveQueryRoute(app, definition, options.live, { ...deps, openStreams });
    }
  }
  if (options.streams) registerStreamRoutes(app, options.streams, deps);
  registerUnknownRoutes(app, {
    commands: options.commands.map((definition) => definition.type),
    queries: options.queries.map((definition) => definition.type),
    live: options.live !== undefined,
    onRequest,
  });
  registerHealthRoutes(app, options);
  // Under its own prefix the plugin owns every unknown path; without one, the app's 404
  // handler is the app's unless it asks (a second setNotFoundHandler at one level throws).
  const { prefix } = rawOptions as { readonly prefix?: string };
  if (options.notFound ?? (prefix !== undefined && prefix !== '' && prefix !== '/')) {
    setProblemNotFoundHandler(app);
  }
};

/**
 * JSON only, parsed with prototype-poisoning keys refused; schemas used for OpenAPI only
 * (Duet's own Standard Schema check validates, so Fastify's compilers must not coerce or
 * strip anything); every error answered as problem+json.
 */
function setUpParsingAndErrors(
  app: FastifyInstance,
  { bodyLimit, retryAfterSeconds, drainLimit }: ResolvedDuetHttpOptions,
): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    app.getDefaultJsonParser('error', 'error'),
  );
  // One check for every route of the plugin, before any handler: text no store can keep
  // (NUL, lone surrogates) is a 400 naming where it is, never a store's 500. The path's
  // parameters, then the query string's, then the body's, each named as a parameter.
  // A callback hook, not an async one: it runs on every request and needs no promise.
  app.addHook('preValidation', (request, _reply, done) => {
    const issues = findUnstorableText(request.params);
    issues.push(...findUnstorableText(request.query), ...findUnstorableText(request.body));
    done(issues.length > 0 ? new ValidationError('text in the request', issues) : undefined);
  });
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler((error, request, reply) => {
    if (!request.raw.complete) {
      // Fastify asks to close the connection when it stops reading a body (over the
      // limit), which cuts a client still sending before it reads the 413. Read the rest
      // instead; the connection then stays usable.
      reply.removeHeader('connection');
      drainUnreadBody(request.raw, drainLimit);
    }
    return sendProblem(error, request, reply, retryAfterSeconds);
  });
}
