import type { RecordedEvent } from '@duet/core';
import { listStreams } from '@duet/postgres';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ConsoleSaga, ResolvedConsoleOptions } from '../console-options.ts';
import { html } from '../html/html.ts';
import { type PageContext, page } from '../html/layout.ts';
import { decodeStreamCursor, encodeStreamCursor } from '../streams/stream-cursor.ts';

const PAGE_SIZE = 25;
// A saga's stream is short (a dozen events); more is a stream the page should not fold.
const MAX_EVENTS = 1_000;

function sagaNamed(options: ResolvedConsoleOptions, name: string): ConsoleSaga {
  const saga = options.sagas.find((candidate) => candidate.name === name);
  if (!saga) throw new ConsoleHttpError(404, `no saga named ${name}`);
  return saga;
}

/**
 * The sagas the console knows, each with its newest instances (streams of its category),
 * 25 a page, newest first.
 *
 * @example
 * reply.send(String(await sagasPage(context, options, { saga: 'placement' })));
 */
export async function sagasPage(
  context: PageContext,
  options: ResolvedConsoleOptions,
  query: { readonly saga?: string; readonly before?: string },
) {
  const { base } = context;
  if (options.sagas.length === 0) {
    return page(context, 'Sagas', html`<h1>Sagas</h1><p class="muted">no sagas configured</p>`);
  }
  const saga = sagaNamed(options, query.saga || options.sagas[0]!.name);
  const entry = options.storeByName.get(saga.store)!;
  const before = query.before ? decodeStreamCursor(query.before) : undefined;
  const list = await listStreams(entry.store.executor, entry.store.schema, {
    limit: PAGE_SIZE,
    category: saga.category,
    ...(before ? { before } : {}),
  });
  const here = `${base}/sagas?saga=${encodeURIComponent(saga.name)}`;
  return page(
    context,
    'Sagas',
    html`<h1>Sagas</h1>
<nav class="tabs">${options.sagas.map(
      (s) =>
        html`<a href="${base}/sagas?saga=${encodeURIComponent(s.name)}" aria-current="${s.name === saga.name ? 'page' : 'false'}">${s.name}</a>`,
    )}</nav>
<table id="sagas">
<thead><tr><th>saga</th><th class="num">events</th><th>started</th><th>last step</th></tr></thead>
<tbody>${
      list.streams.length === 0
        ? html`<tr><td colspan="4" class="muted">no ${saga.name} sagas yet</td></tr>`
        : list.streams.map(
            (s) => html`<tr>
  <td><a href="${base}/sagas/${saga.name}/${encodeURIComponent(s.stream)}">${s.stream}</a></td>
  <td class="num">${s.version}</td><td>${s.createdAt}</td><td>${s.updatedAt}</td></tr>`,
          )
    }</tbody>
</table>
<div class="pager">
  ${before ? html`<a href="${here}">Newest</a>` : ''}
  ${
    list.next
      ? html`<a id="older" href="${here}&before=${encodeStreamCursor(list.next)}">Older</a>`
      : html`<span class="muted">no older sagas</span>`
  }
</div>`,
  );
}

/**
 * One saga instance: its timeline (compensations marked), the timers it still waits on,
 * and a link to its stream's events.
 *
 * @example
 * reply.send(String(await sagaPage(context, options, 'placement', 'placement-o-1')));
 */
export async function sagaPage(
  context: PageContext,
  options: ResolvedConsoleOptions,
  name: string,
  stream: string,
) {
  const saga = sagaNamed(options, name);
  if (!stream.startsWith(`${saga.category}-`) || stream.length > 500 || stream.includes('\0')) {
    throw new ConsoleHttpError(404, `no ${saga.name} saga ${stream}`);
  }
  const entry = options.storeByName.get(saga.store)!;
  const events: RecordedEvent[] = [];
  for await (const event of entry.store.readStream(stream, { maxCount: MAX_EVENTS })) {
    events.push(event);
  }
  if (events.length === 0) throw new ConsoleHttpError(404, `no ${saga.name} saga ${stream}`);
  const steps = saga.timeline(events);
  const timers = saga.timers ? await saga.timers(stream) : [];
  const compensations = steps.filter((step) => step.compensation).length;
  const { base } = context;
  return page(
    context,
    `${stream} · Sagas`,
    html`<h1>${stream}</h1>
<p><a href="${base}/streams/${saga.store}/${encodeURIComponent(stream)}">its ${events.length} events</a>
 · ${compensations === 0 ? 'no compensations' : html`<strong>${compensations} compensation steps</strong>`}</p>
<h2>Timeline</h2>
<table id="timeline">
<thead><tr><th>at</th><th>step</th><th>detail</th></tr></thead>
<tbody>${steps.map(
      (step) => html`<tr class="${step.compensation ? 'compensation' : 'step'}">
  <td>${step.at}</td><td>${step.step}</td><td>${step.detail}</td></tr>`,
    )}</tbody>
</table>
<h2>Timers</h2>
<table id="timers">
<thead><tr><th>timer</th><th>due</th></tr></thead>
<tbody>${
      timers.length === 0
        ? html`<tr><td colspan="2" class="muted">no timers waiting</td></tr>`
        : timers.map((timer) => html`<tr><td>${timer.kind}</td><td>${timer.dueAt}</td></tr>`)
    }</tbody>
</table>`,
  );
}
