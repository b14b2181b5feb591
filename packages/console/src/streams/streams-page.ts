import { listStreams } from '@duet/postgres';
import { ConsoleHttpError } from '../console-http-error.ts';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { html } from '../html/html.ts';
import { type PageContext, page } from '../html/layout.ts';
import { decodeStreamCursor, encodeStreamCursor } from './stream-cursor.ts';

/** The query string of the streams page. */
export interface StreamsQuery {
  readonly store?: string;
  /** Search text: a name prefix, or a category with `by=category`. */
  readonly q?: string;
  readonly by?: string;
  readonly before?: string;
}

const PAGE_SIZE = 25;

/**
 * The streams of one store, newest first, 25 a page, searched by name prefix or category.
 *
 * @example
 * reply.send(String(await streamsPage(context, options, { store: 'orders', q: 'order-' })));
 */
export async function streamsPage(
  context: PageContext,
  options: ResolvedConsoleOptions,
  query: StreamsQuery,
) {
  const storeName = query.store || options.stores[0]!.name;
  const entry = options.storeByName.get(storeName);
  if (!entry) throw new ConsoleHttpError(404, `no store named ${storeName}`);
  const by = query.by === 'category' ? 'category' : 'prefix';
  const q = (query.q ?? '').slice(0, 500);
  const before = query.before ? decodeStreamCursor(query.before) : undefined;
  const list = await listStreams(entry.store.executor, entry.store.schema, {
    limit: PAGE_SIZE,
    ...(q ? (by === 'category' ? { category: q } : { prefix: q }) : {}),
    ...(before ? { before } : {}),
  });
  const { base } = context;
  const search = new URLSearchParams({ store: storeName, q, by });
  const next = list.next
    ? `${base}/streams?${search}&before=${encodeStreamCursor(list.next)}`
    : null;
  return page(
    context,
    'Streams',
    html`<h1>Streams</h1>
<form class="search" method="get" action="${base}/streams">
  <select name="store" aria-label="store">${options.stores.map(
    (s) =>
      html`<option value="${s.name}"${s.name === storeName ? ' selected' : ''}>${s.name}</option>`,
  )}</select>
  <select name="by" aria-label="search by">
    <option value="prefix"${by === 'prefix' ? ' selected' : ''}>name starts with</option>
    <option value="category"${by === 'category' ? ' selected' : ''}>category is</option>
  </select>
  <input type="search" name="q" value="${q}" placeholder="order- or order" aria-label="search">
  <button type="submit">Search</button>
</form>
<table id="streams">
<thead><tr><th>stream</th><th>category</th><th class="num">version</th><th>created</th><th>updated</th></tr></thead>
<tbody>${
      list.streams.length === 0
        ? html`<tr><td colspan="5" class="muted">no streams</td></tr>`
        : list.streams.map(
            (s) => html`<tr>
  <td><a href="${base}/streams/${storeName}/${encodeURIComponent(s.stream)}">${s.stream}</a></td>
  <td>${s.category}</td><td class="num">${s.version}</td>
  <td>${s.createdAt}</td><td>${s.updatedAt}</td></tr>`,
          )
    }</tbody>
</table>
<div class="pager">
  ${before ? html`<a href="${base}/streams?${search}">Newest</a>` : ''}
  ${next ? html`<a id="older" href="${next}">Older</a>` : html`<span class="muted">no older streams</span>`}
</div>`,
  );
}
