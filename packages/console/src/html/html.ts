/** Markup that is safe to send: built by `html`, or trusted on purpose with `raw`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]!);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A tagged template that escapes every interpolated value unless it is already `Html`
 * (arrays are joined; null, undefined and false render as nothing): data from events,
 * streams and errors can never become markup.
 *
 * @example
 * const row = html`<td>${event.type}</td>`; // '<script>' arrives as '&lt;script&gt;'
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i += 1) text += render(values[i]) + strings[i + 1]!;
  return new Html(text);
}

/** Trusts markup made elsewhere (the console's own, never data). */
export const raw = (text: string): Html => new Html(text);
