import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConsoleViewer } from '../access/console-access.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ConsoleProcessors, ResolvedConsoleOptions } from '../console-options.ts';
import { html } from '../html/html.ts';
import { type PageContext, page } from '../html/layout.ts';
import { sendHtml } from '../html/send-html.ts';
import { LagHistory } from './lag-history.ts';
import { processorsTable } from './processors-table.ts';
import { streamProcessors } from './stream-processors.ts';

/** Refuses an action to a viewer who may only look. */
export function requireActor(viewer: ConsoleViewer): void {
  if (!viewer.canAct)
    throw new ConsoleHttpError(403, 'read-only: this principal may look but not act');
}

const actions = {
  rebuild: {
    run: (p: ConsoleProcessors['processors'], name: string) => p.rebuildRequests.request(name),
    notice: 'Rebuild asked: progress shows below.',
  },
  pause: {
    run: (p: ConsoleProcessors['processors'], name: string, by: string) => p.pause(name, { by }),
    notice: 'Paused: its runners finish the batch in flight and wait.',
  },
  resume: {
    run: (p: ConsoleProcessors['processors'], name: string) => p.resume(name),
    notice: 'Resumed: it goes on from its checkpoint.',
  },
} as const;
type Action = keyof typeof actions;
const noticeOf = (action: Action, done: string) =>
  html`<p class="notice" id="action-done" data-action="${action}">${done}: ${actions[action].notice}</p>`;
const isAction = (action: string): action is Action => Object.hasOwn(actions, action);

/**
 * `GET /processors` (the table, refreshed live over SSE from `/processors/live`, with a
 * lag chart per partition) and `POST /processors/:service/:name/{rebuild,pause,resume}`
 * (asks the runners that work it, wherever they run; staff only, CSRF, audited).
 */
export function registerProcessorRoutes(
  app: FastifyInstance,
  options: ResolvedConsoleOptions,
  context: (request: FastifyRequest) => PageContext & { viewer: ConsoleViewer },
  live: Set<() => void>,
): void {
  const base = app.prefix;
  const history = new LagHistory(120, Math.max(10, Math.floor(options.liveIntervalMs / 2)));
  app.get<{ Querystring: { done?: string; action?: string } }>(
    '/processors',
    async (request, reply) => {
      const ctx = context(request);
      const { done, action } = request.query;
      const notice = done && action && isAction(action) ? noticeOf(action, done) : '';
      // The live view morphs the table in place (idiomorph): swapped whole every tick, the
      // buttons were new elements each time, and a click could fall between two of them.
      return sendHtml(
        reply,
        200,
        page(
          ctx,
          'Processors',
          html`<h1>Processors</h1>
<div id="notice">${notice}</div>
<div hx-ext="sse,morph" sse-connect="${base}/processors/live" sse-swap="processors" hx-swap="morph:innerHTML">
${await processorsTable(base, options, ctx.viewer, history)}
</div>`,
        ),
      );
    },
  );
  app.get('/processors/live', async (request, reply) => {
    const viewer = context(request).viewer;
    streamProcessors(reply, live, options.liveIntervalMs, () =>
      processorsTable(base, options, viewer, history),
    );
  });
  app.post<{ Params: { service: string; name: string; action: string } }>(
    '/processors/:service/:name/:action',
    async (request, reply) => {
      const { viewer } = context(request);
      requireActor(viewer);
      const { service, name, action } = request.params;
      if (!isAction(action)) throw new ConsoleHttpError(404, `no action ${action}`);
      const entry = options.processors.find((p) => p.name === service);
      const known = entry && (await entry.processors.status()).some((s) => s.name === name);
      if (!entry || !known) throw new ConsoleHttpError(404, `no processor ${service}/${name}`);
      const target = { service, processor: name };
      try {
        await actions[action].run(entry.processors, name, viewer.principal.id);
      } catch (error) {
        await recordAudit(options, viewer, {
          action,
          target,
          outcome: 'failed',
          detail: String(error),
        });
        throw error;
      }
      await recordAudit(options, viewer, { action, target, outcome: 'done' });
      // From htmx: only the notice, so the page (and its live view) stays.
      if (request.headers['hx-request'] === 'true') {
        return sendHtml(reply, 200, noticeOf(action, `${service}/${name}`));
      }
      const done = encodeURIComponent(`${service}/${name}`);
      return reply.redirect(`${base}/processors?action=${action}&done=${done}`, 303);
    },
  );
}
