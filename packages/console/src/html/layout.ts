import type { ConsoleViewer } from '../access/console-access.ts';
import { type Html, html } from './html.ts';

/** What every page needs besides its content. */
export interface PageContext {
  /** Where the console is mounted, e.g. '/console'. */
  readonly base: string;
  readonly viewer: ConsoleViewer | null;
}

const sections = [
  ['streams', 'Streams'],
  ['processors', 'Processors'],
  ['dead-letters', 'Dead letters'],
  ['sagas', 'Sagas'],
] as const;

/**
 * A whole page: the navigation, the viewer and a logout button, the content. htmx sends
 * the CSRF token with every request it makes (`hx-headers` on the body).
 *
 * @example
 * reply.type('text/html').send(String(page(context, 'Streams', html`<h1>Streams</h1>`)));
 */
export function page(context: PageContext, title: string, content: Html): Html {
  const { base, viewer } = context;
  const headers = viewer ? JSON.stringify({ 'x-csrf-token': viewer.csrf }) : '{}';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Duet console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/assets/console.css">
<script src="${base}/assets/htmx.min.js"></script>
<script src="${base}/assets/sse.js"></script>
<script src="${base}/assets/morph.js"></script>
</head>
<body hx-headers="${headers}">
<header>
  <a class="brand" href="${base}/streams">Duet console</a>
  ${
    viewer
      ? html`<nav>${sections.map(([path, label]) => html`<a href="${base}/${path}">${label}</a>`)}</nav>
  <form class="who" method="post" action="${base}/logout">
    <span>${viewer.principal.id}${viewer.canAct ? '' : ' (read-only)'}</span>
    <input type="hidden" name="_csrf" value="${viewer.csrf}">
    ${viewer.session ? html`<button type="submit">Log out</button>` : ''}
  </form>`
      : ''
  }
</header>
<main>
${content}
</main>
</body>
</html>`;
}
