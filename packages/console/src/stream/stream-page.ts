import { categoryOf, foldEvents, type RecordedEvent } from '@duet/core';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ConsoleDecider, ResolvedConsoleOptions } from '../console-options.ts';
import { type Html, html } from '../html/html.ts';
import { type PageContext, page } from '../html/layout.ts';
import { jsonDiff } from './json-diff.ts';
import { prettyJson, toJsonData } from './pretty-json.ts';

/** Most events a stream page shows and folds. */
const MAX_EVENTS = 1_000;

/** Links from an event to what caused it and to everything of the same request. */
export function chainLinks(base: string, event: RecordedEvent): Html {
  const { causationId, correlationId } = event.metadata;
  return html`${
    typeof causationId === 'string'
      ? html`<div>caused by <a href="${base}/events/${encodeURIComponent(causationId)}">${causationId}</a></div>`
      : ''
  }${
    typeof correlationId === 'string'
      ? html`<div>request <a href="${base}/correlation/${encodeURIComponent(correlationId)}">${correlationId}</a></div>`
      : ''
  }`;
}

function timeTravel(
  decider: ConsoleDecider,
  events: readonly RecordedEvent[],
  at: number,
  link: (version: number) => string,
): Html {
  const previous = toJsonData(foldEvents(decider, events.slice(0, at - 1)));
  const state = toJsonData(foldEvents(decider, events.slice(0, at)));
  const changes = at === 0 ? [] : jsonDiff(previous, state);
  return html`<section id="time-travel">
<h2>State at version <span id="at-version">${at}</span> of ${events.length}</h2>
<p>
  ${at > 0 ? html`<a id="earlier" href="${link(at - 1)}">← version ${at - 1}</a>` : ''}
  ${at < events.length ? html`<a id="later" href="${link(at + 1)}">version ${at + 1} →</a>` : ''}
</p>
<table><thead><tr><th>state</th><th>changed by version ${at}</th></tr></thead>
<tbody><tr><td><pre id="state">${prettyJson(state)}</pre></td>
<td><ul id="diff">${
    changes.length === 0
      ? html`<li class="muted">no change</li>`
      : changes.map(
          (c) =>
            html`<li class="diff-${c.kind}"><code>${c.path}</code> ${c.kind}${
              c.kind === 'changed'
                ? html`: <code>${JSON.stringify(c.before)}</code> → <code>${JSON.stringify(c.after)}</code>`
                : html` <code>${JSON.stringify(c.kind === 'added' ? c.after : c.before)}</code>`
            }</li>`,
        )
  }</ul></td></tr></tbody></table>
</section>`;
}

/**
 * One stream: its events with data, metadata and their causation and correlation links,
 * and, when a decider is registered for its category, its state at version `at` (default
 * the last) with what that version changed.
 *
 * @example
 * reply.send(String(await streamPage(context, options, 'orders', 'order-7', '3')));
 */
export async function streamPage(
  context: PageContext,
  options: ResolvedConsoleOptions,
  storeName: string,
  stream: string,
  atText: string | undefined,
) {
  const entry = options.storeByName.get(storeName);
  if (!entry) throw new ConsoleHttpError(404, `no store named ${storeName}`);
  if (stream.length === 0 || stream.length > 500 || stream.includes('\0')) {
    throw new ConsoleHttpError(404, 'no such stream');
  }
  const events: RecordedEvent[] = [];
  for await (const event of entry.store.readStream(stream, { maxCount: MAX_EVENTS })) {
    events.push(event);
  }
  if (events.length === 0) throw new ConsoleHttpError(404, `no stream ${stream} in ${storeName}`);
  const at = atText === undefined ? events.length : Number(atText);
  if (!/^\d{1,9}$/.test(atText ?? '0') || at > events.length) {
    throw new ConsoleHttpError(400, `version must be a whole number from 0 to ${events.length}`);
  }
  const { base } = context;
  const self = `${base}/streams/${storeName}/${encodeURIComponent(stream)}`;
  const decider = options.deciders[categoryOf(stream)];
  return page(
    context,
    stream,
    html`<h1>${stream} <span class="muted">in ${storeName}</span></h1>
${
  decider
    ? timeTravel(decider, events, at, (version) => `${self}?at=${version}#time-travel`)
    : html`<p class="muted">No decider registered for category ${categoryOf(stream)}: no time travel.</p>`
}
<h2>Events</h2>
<table id="events"><thead><tr><th class="num">version</th><th>event</th><th>data</th><th>metadata</th></tr></thead>
<tbody>${events.map(
      (
        e,
      ) => html`<tr id="v${e.streamVersion}"${e.streamVersion === at ? ' class="diff-changed"' : ''}>
  <td class="num"><a href="${self}?at=${e.streamVersion}#time-travel">${e.streamVersion}</a></td>
  <td><strong>${e.type}</strong><div class="muted">${e.id}</div><div class="muted">${e.metadata.timestamp}</div>${chainLinks(base, e)}</td>
  <td><pre>${prettyJson(e.data)}</pre></td>
  <td><pre>${prettyJson(e.metadata)}</pre></td></tr>`,
    )}</tbody></table>
${events.length === MAX_EVENTS ? html`<p class="muted">The first ${MAX_EVENTS} events.</p>` : ''}`,
  );
}
