import { correlatedEvents } from '@duet/postgres';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { html } from '../html/html.ts';
import { type PageContext, page } from '../html/layout.ts';
import { chainLinks } from './stream-page.ts';

const LIMIT = 200;

/**
 * Everything one request set off: the events of every store with this correlation id, in
 * each store's order, store by store.
 *
 * @example
 * reply.send(String(await correlationPage(context, options, correlationId)));
 */
export async function correlationPage(
  context: PageContext,
  options: ResolvedConsoleOptions,
  correlationId: string,
) {
  if (correlationId.length > 500 || correlationId.includes('\0')) {
    throw new ConsoleHttpError(400, 'not a correlation id');
  }
  const { base } = context;
  const found = await Promise.all(
    options.stores.map(async ({ name, store }) => ({
      name,
      events: await correlatedEvents(
        store.executor,
        store.schema,
        { correlationId },
        { limit: LIMIT },
      ),
    })),
  );
  const total = found.reduce((sum, { events }) => sum + events.length, 0);
  if (total === 0) throw new ConsoleHttpError(404, `no events of request ${correlationId}`);
  return page(
    context,
    `Request ${correlationId}`,
    html`<h1>Request <code>${correlationId}</code></h1>
<p class="muted">${total} events across ${found.filter((f) => f.events.length > 0).length} stores.</p>
<table id="chain"><thead><tr><th>store</th><th>stream</th><th>event</th><th>recorded</th><th>links</th></tr></thead>
<tbody>${found.flatMap(({ name, events }) =>
      events.map(
        (e) => html`<tr id="e-${e.id}"><td>${name}</td>
  <td><a href="${base}/streams/${name}/${encodeURIComponent(e.stream)}#v${e.streamVersion}">${e.stream}</a> v${e.streamVersion}</td>
  <td><strong>${e.type}</strong><div class="muted">${e.id}</div></td><td>${e.metadata.timestamp}</td>
  <td>${chainLinks(base, e)}</td></tr>`,
      ),
    )}</tbody></table>`,
  );
}

/**
 * Where the event with this id is: the URL of its row on its stream's page, or a 404 page
 * (a causation id may name a command, which is not stored as an event).
 */
export async function eventLocation(
  context: PageContext,
  options: ResolvedConsoleOptions,
  eventId: string,
): Promise<string> {
  for (const { name, store } of options.stores) {
    const [event] = await correlatedEvents(store.executor, store.schema, { eventId }, { limit: 1 });
    if (event) {
      return `${context.base}/streams/${name}/${encodeURIComponent(event.stream)}#v${event.streamVersion}`;
    }
  }
  throw new ConsoleHttpError(404, `no event ${eventId} in these stores (a command's id?)`);
}
