import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConsoleViewer } from '../access/console-access.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { type Html, html } from '../html/html.ts';
import { type PageContext, page } from '../html/layout.ts';
import { sendHtml } from '../html/send-html.ts';
import { requireActor } from '../processors/processors-routes.ts';
import { prettyJson } from '../stream/pretty-json.ts';

const button = (action: string, label: string, viewer: ConsoleViewer): Html =>
  html`<form class="inline" method="post" action="${action}"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit" class="quiet">${label}</button></form>`;

/** Retry (hand it back) and skip (drop it unhandled), for viewers who may act. */
const actionButtons = (path: string, viewer: ConsoleViewer): Html =>
  viewer.canAct
    ? html`${button(`${path}/retry`, 'Retry', viewer)} ${button(`${path}/skip`, 'Skip', viewer)}`
    : html``;

/**
 * `GET /dead-letters`: every processor's and broker consumer's dead letters with their
 * error and event; `POST /dead-letters/{processors,consumers}/:owner/:id/retry` hands one
 * back and `.../skip` drops it unhandled (staff, CSRF, audited).
 */
export function registerDeadLetterRoutes(
  app: FastifyInstance,
  options: ResolvedConsoleOptions,
  context: (request: FastifyRequest) => PageContext & { viewer: ConsoleViewer },
): void {
  const base = app.prefix;
  app.get('/dead-letters', async (request, reply) => {
    const ctx = context(request);
    const processors = await Promise.all(
      options.processors.map(async (p) => ({
        service: p.name,
        letters: await p.processors.deadLetters.list(),
      })),
    );
    const consumers = await Promise.all(
      options.consumers.map(async (c) => ({ name: c.name, letters: await c.deadLetters() })),
    );
    const rows = [
      ...processors.flatMap(({ service, letters }) =>
        letters.map(
          (l) => html`<tr id="dl-${l.id}"><td>processor ${service}/${l.name}</td>
  <td><a href="${base}/streams">${l.event.stream}</a> v${l.event.streamVersion} <strong>${l.event.type}</strong></td>
  <td class="error">${l.error}</td><td><details><summary>event</summary><pre>${prettyJson(l.event)}</pre></details></td>
  <td class="actions">${actionButtons(`${base}/dead-letters/processors/${service}/${l.id}`, ctx.viewer)}</td></tr>`,
        ),
      ),
      ...consumers.flatMap(({ name, letters }) =>
        letters.map(
          (
            l,
          ) => html`<tr id="dl-${l.id}"><td>consumer ${name}</td><td>${l.message.subject} <span class="muted">${l.attempts} attempts, ${l.at}</span></td>
  <td class="error">${l.error}</td><td><details><summary>message</summary><pre>${prettyJson(l)}</pre></details></td>
  <td class="actions">${actionButtons(`${base}/dead-letters/consumers/${name}/${l.id}`, ctx.viewer)}</td></tr>`,
        ),
      ),
    ];
    return sendHtml(
      reply,
      200,
      page(
        ctx,
        'Dead letters',
        html`<h1>Dead letters</h1>
<table id="dead-letters"><thead><tr><th>where</th><th>what</th><th>error</th><th></th><th></th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="5" class="muted">no dead letters</td></tr>` : rows}</tbody></table>`,
      ),
    );
  });

  app.post<{ Params: { kind: string; owner: string; id: string; action: string } }>(
    '/dead-letters/:kind/:owner/:id/:action',
    async (request, reply) => {
      const { viewer } = context(request);
      requireActor(viewer);
      const { kind, owner, id, action } = request.params;
      if (action !== 'retry' && action !== 'skip') {
        throw new ConsoleHttpError(404, `no action ${action}`);
      }
      const letter = await deadLetterOf(options, kind, owner, id);
      const target = { kind, owner, id };
      const audited = `${action}-dead-letter`;
      let count: number;
      try {
        count = await letter[action]();
      } catch (error) {
        await recordAudit(options, viewer, {
          action: audited,
          target,
          outcome: 'failed',
          detail: String(error),
        });
        throw new ConsoleHttpError(
          409,
          action === 'retry'
            ? `the retry failed again and the dead letter stays: ${String(error)}`
            : `the skip failed and the dead letter stays: ${String(error)}`,
        );
      }
      await recordAudit(options, viewer, {
        action: audited,
        target,
        outcome: 'done',
        detail: `${count} ${action === 'retry' ? 'retried' : 'skipped'}`,
      });
      return reply.redirect(`${base}/dead-letters`, 303);
    },
  );
}

/** Retry and skip of one known dead letter, or 404 when there is none with that id. */
async function deadLetterOf(
  options: ResolvedConsoleOptions,
  kind: string,
  owner: string,
  id: string,
): Promise<{ retry(): Promise<number>; skip(): Promise<number> }> {
  if (kind === 'processors') {
    const entry = options.processors.find((p) => p.name === owner);
    const letters = entry ? await entry.processors.deadLetters.list() : [];
    if (entry && letters.some((l) => l.id === id)) {
      const { deadLetters } = entry.processors;
      return { retry: () => deadLetters.retry(id), skip: () => deadLetters.skip(id) };
    }
  } else if (kind === 'consumers') {
    const consumer = options.consumers.find((c) => c.name === owner);
    const letters = consumer ? await consumer.deadLetters() : [];
    if (consumer && letters.some((l) => l.id === id)) {
      return { retry: () => consumer.replay(id), skip: () => consumer.discard(id) };
    }
  }
  throw new ConsoleHttpError(404, `no dead letter ${kind}/${owner}/${id}`);
}
