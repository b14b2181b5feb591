import { inTenant } from '@duet/core';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ConsoleViewer, identifyViewer } from './access/console-access.ts';
import { csrfMatches, SESSION_COOKIE } from './access/console-session.ts';
import { loginPage, registerLoginRoutes } from './access/login-routes.ts';
import { registerConsoleAssets } from './assets/console-assets.ts';
import { ConsoleHttpError } from './console-http-error.ts';
import { type DuetConsoleOptions, resolveConsoleOptions } from './console-options.ts';
import { html } from './html/html.ts';
import { type PageContext, page } from './html/layout.ts';
import { sendHtml } from './html/send-html.ts';
import { registerPageRoutes } from './register-page-routes.ts';

/** Routes reachable without a principal: the login form and the static assets. */
const open = (url: string, base: string) =>
  url.startsWith(`${base}/assets/`) || url === `${base}/login`;

/**
 * The web console as a Fastify plugin: register it with a prefix (`/console`). Every page
 * wants a principal with the staff role (or the viewer role, read-only), found by
 * `authenticate` in the request's headers or by the session cookie of the console's login
 * form; every POST carries the CSRF token and is recorded as an audit event.
 *
 * @example
 * await app.register(duetConsole, { prefix: '/console', authenticate, stores: [{ name: 'orders', store }] });
 */
export async function duetConsole(app: FastifyInstance, input: DuetConsoleOptions): Promise<void> {
  const options = resolveConsoleOptions(input);
  const base = app.prefix;
  const viewers = new WeakMap<FastifyRequest, ConsoleViewer>();
  await app.register(fastifyCookie);
  // Forms post urlencoded; Node's URLSearchParams parses them (in this plugin only).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  // Each page and action runs as its viewer's tenant: on a tenant-isolated database the
  // console shows that tenant's streams, sagas and audit only. Processor pages are the
  // system's (processors run across tenants). Registered first, so it wraps every route.
  app.addHook('onRoute', (route) => {
    const handler = route.handler as (...args: unknown[]) => unknown;
    route.handler = function (this: unknown, request, reply) {
      const tenant = viewers.get(request)?.principal.tenant;
      const run = () => handler.call(this, request, reply);
      return inTenant(tenant, run);
    } as typeof route.handler;
  });
  app.setErrorHandler((error, request, reply) =>
    sendError(request, reply, error, viewers.get(request)),
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new ConsoleHttpError(404, 'no such page'), viewers.get(request)),
  );

  app.addHook('preHandler', async (request) => {
    if (open(request.url.split('?')[0]!, base)) return;
    const viewer = await identifyViewer(request, options);
    viewers.set(request, viewer);
    if (request.method === 'POST') {
      const body = request.body as Record<string, unknown> | undefined;
      const sent = request.headers['x-csrf-token'] ?? body?._csrf;
      if (!csrfMatches(viewer.csrf, sent)) {
        throw new ConsoleHttpError(
          403,
          'the form is stale or came from elsewhere: reload the page (CSRF token)',
        );
      }
    }
  });

  registerConsoleAssets(app);
  registerLoginRoutes(app, options);
  app.post('/logout', async (_request, reply) =>
    reply.clearCookie(SESSION_COOKIE, { path: base || '/' }).redirect(`${base}/login`, 303),
  );
  app.get('/login', async (_request, reply) => sendHtml(reply, 200, loginPage(base)));
  app.get('/', async (_request, reply) => reply.redirect(`${base}/streams`, 302));
  const context = (request: FastifyRequest): PageContext => ({
    base,
    viewer: viewers.get(request) ?? null,
  });
  const live = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of live) end();
  });
  registerPageRoutes(app, options, context, viewers, live);

  function sendError(
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    viewer: ConsoleViewer | undefined,
  ) {
    const known = error instanceof ConsoleHttpError ? error : null;
    // Fastify's own 4xx (a bad body, say) keep their status; anything else is the console's bug.
    const fastifyStatus = (error as { statusCode?: number }).statusCode;
    const status = known?.status ?? (fastifyStatus && fastifyStatus < 500 ? fastifyStatus : 500);
    if (status >= 500) request.log.error({ err: error }, 'console page failed');
    if (status === 401) return sendHtml(reply, 401, loginPage(base, known?.message));
    const message =
      known?.message ??
      (status < 500 ? (error as Error).message : 'the console failed: see the server log');
    return sendHtml(
      reply,
      status,
      page(
        { base, viewer: viewer ?? null },
        `${status}`,
        html`<h1>${status}</h1><p class="notice error" id="problem">${message}</p>`,
      ),
    );
  }
}
