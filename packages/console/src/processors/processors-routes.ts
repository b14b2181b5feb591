import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConsoleViewer } from '../access/console-access.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { html } from '../html/html.ts';
import { type PageContext, page } from '../html/layout.ts';
import { sendHtml } from '../html/send-html.ts';
import { processorsTable } from './processors-table.ts';
import { streamProcessors } from './stream-processors.ts';

/** Refuses an action to a viewer who may only look. */
export function requireActor(viewer: ConsoleViewer): void {
  if (!viewer.canAct)
    throw new ConsoleHttpError(403, 'read-only: this principal may look but not act');
}

/**
 * `GET /processors` (the table, refreshed live over SSE from `/processors/live`) and
 * `POST /processors/:service/:name/rebuild` (asks the runner that works it to rebuild).
 */
export function registerProcessorRoutes(
  app: FastifyInstance,
  options: ResolvedConsoleOptions,
  context: (request: FastifyRequest) => PageContext & { viewer: ConsoleViewer },
  live: Set<() => void>,
): void {
  const base = app.prefix;
  app.get<{ Querystring: { rebuilt?: string } }>('/processors', async (request, reply) => {
    const ctx = context(request);
    const rebuilt = request.query.rebuilt;
    return sendHtml(
      reply,
      200,
      page(
        ctx,
        'Processors',
        html`<h1>Processors</h1>
${rebuilt ? html`<p class="notice" id="rebuild-asked">Rebuild of ${rebuilt} asked: progress shows below.</p>` : ''}
<div hx-ext="sse" sse-connect="${base}/processors/live" sse-swap="processors">
${await processorsTable(base, options, ctx.viewer)}
</div>`,
      ),
    );
  });
  app.get('/processors/live', async (request, reply) => {
    const viewer = context(request).viewer;
    streamProcessors(reply, live, options.liveIntervalMs, () =>
      processorsTable(base, options, viewer),
    );
  });
  app.post<{ Params: { service: string; name: string } }>(
    '/processors/:service/:name/rebuild',
    async (request, reply) => {
      const { viewer } = context(request);
      requireActor(viewer);
      const { service, name } = request.params;
      const entry = options.processors.find((p) => p.name === service);
      const known = entry && (await entry.processors.status()).some((s) => s.name === name);
      if (!entry || !known) throw new ConsoleHttpError(404, `no processor ${service}/${name}`);
      const target = { service, processor: name };
      try {
        await entry.processors.rebuildRequests.request(name);
      } catch (error) {
        await recordAudit(options, viewer, {
          action: 'rebuild',
          target,
          outcome: 'failed',
          detail: String(error),
        });
        throw error;
      }
      await recordAudit(options, viewer, { action: 'rebuild', target, outcome: 'done' });
      return reply.redirect(
        `${base}/processors?rebuilt=${encodeURIComponent(`${service}/${name}`)}`,
        303,
      );
    },
  );
}
