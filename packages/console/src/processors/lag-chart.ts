import { type Html, html } from '../html/html.ts';
import type { LagSample } from './lag-history.ts';

const WIDTH = 160;
const HEIGHT = 32;

/**
 * A partition's lag over the readings the console kept, as an inline SVG line (no script,
 * no library): time left to right over the window, events bottom to top scaled to the
 * window's peak, which the chart's title and label give.
 */
export function lagChart(samples: readonly LagSample[]): Html {
  if (samples.length < 2) return html`<span class="muted">collecting…</span>`;
  const first = samples[0]!.at;
  const span = Math.max(1, samples.at(-1)!.at - first);
  const peak = Math.max(0, ...samples.map((s) => s.events));
  const scale = Math.max(1, peak);
  const points = samples
    .map((s) => {
      const x = ((s.at - first) / span) * WIDTH;
      const y = HEIGHT - (s.events / scale) * (HEIGHT - 2) - 1;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const seconds = Math.round(span / 1000);
  const title = `lag over the last ${seconds} s: peak ${peak} events, now ${samples.at(-1)!.events}`;
  return html`<svg class="lag-chart" role="img" aria-label="${title}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" data-samples="${samples.length}" data-peak="${peak}"><title>${title}</title><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${points}"/></svg><div class="muted">peak ${peak} in ${seconds} s</div>`;
}
