import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConsoleViewer } from './access/console-access.ts';
import type { ResolvedConsoleOptions } from './console-options.ts';
import { registerDeadLetterRoutes } from './dead-letters/dead-letters-routes.ts';
import type { PageContext } from './html/layout.ts';
import { sendHtml } from './html/send-html.ts';
import { registerProcessorRoutes } from './processors/processors-routes.ts';
import { sagaPage, sagasPage } from './sagas/sagas-pages.ts';
import { correlationPage, eventLocation } from './stream/correlation-page.ts';
import { streamPage } from './stream/stream-page.ts';
import { type StreamsQuery, streamsPage } from './streams/streams-page.ts';

/** The console's pages, each a GET that renders server-side. */
export function registerPageRoutes(
  app: FastifyInstance,
  options: ResolvedConsoleOptions,
  context: (request: FastifyRequest) => PageContext,
  viewers: WeakMap<FastifyRequest, ConsoleViewer>,
  live: Set<() => void>,
): void {
  // Behind the preHandler that found the viewer (or refused the request).
  const authed = (request: FastifyRequest) => ({ base: app.prefix, viewer: viewers.get(request)! });
  registerProcessorRoutes(app, options, authed, live);
  registerDeadLetterRoutes(app, options, authed);
  app.get<{ Querystring: StreamsQuery }>('/streams', async (request, reply) =>
    sendHtml(reply, 200, await streamsPage(context(request), options, request.query)),
  );
  app.get<{ Params: { store: string; stream: string }; Querystring: { at?: string } }>(
    '/streams/:store/:stream',
    async (request, reply) => {
      const { store, stream } = request.params;
      return sendHtml(
        reply,
        200,
        await streamPage(context(request), options, store, stream, request.query.at),
      );
    },
  );
  app.get<{ Querystring: { saga?: string; before?: string } }>('/sagas', async (request, reply) =>
    sendHtml(reply, 200, await sagasPage(context(request), options, request.query)),
  );
  app.get<{ Params: { saga: string; stream: string } }>(
    '/sagas/:saga/:stream',
    async (request, reply) =>
      sendHtml(
        reply,
        200,
        await sagaPage(context(request), options, request.params.saga, request.params.stream),
      ),
  );
  app.get<{ Params: { id: string } }>('/correlation/:id', async (request, reply) =>
    sendHtml(reply, 200, await correlationPage(context(request), options, request.params.id)),
  );
  app.get<{ Params: { id: string } }>('/events/:id', async (request, reply) =>
    reply.redirect(await eventLocation(context(request), options, request.params.id), 302),
  );
}
