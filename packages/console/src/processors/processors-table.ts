import type { ProjectionStatus } from '@duet/postgres';
import type { ConsoleViewer } from '../access/console-access.ts';
import type { ResolvedConsoleOptions } from '../console-options.ts';
import { type Html, html } from '../html/html.ts';
import { lagChart } from './lag-chart.ts';
import type { LagHistory } from './lag-history.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// htmx posts it and puts the answer in #notice, so the live view stays open (and shows a
// rebuild's progress); without script, the form posts and the page comes back.
const actionForm = (action: string, label: string, viewer: ConsoleViewer): Html =>
  html`<form class="inline" method="post" action="${action}" hx-post="${action}" hx-target="#notice" hx-swap="innerHTML"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit" class="quiet">${label}</button></form>`;

function progress(status: ProjectionStatus): Html {
  const { rebuild } = status;
  if (!rebuild) return html``;
  return html`<div class="rebuild" data-done="${rebuild.eventsDone}">rebuilding: ${rebuild.eventsDone} events, ${rebuild.eventsPerSec}/s${
    rebuild.etaSeconds === null ? '' : `, ${rebuild.etaSeconds} s left`
  }</div>`;
}

/**
 * Every processor of every service with state, health (and why it is not healthy),
 * position, head, lag (with a chart of the readings `history` kept), who holds each
 * partition and what holds it back; rebuild, pause and resume for viewers who may act.
 * The live view sends this table again every interval, and each send is a reading.
 */
export async function processorsTable(
  base: string,
  options: ResolvedConsoleOptions,
  viewer: ConsoleViewer,
  history: LagHistory,
): Promise<Html> {
  const services = await Promise.all(
    options.processors.map(async (entry) => ({
      name: entry.name,
      status: await entry.processors.status(),
    })),
  );
  const now = options.now().getTime();
  for (const { name, status } of services) history.record(name, status, now);
  const holders = await Promise.all(
    options.stores.map(async ({ name, store }) => ({
      name,
      held: await store.oldestRunningTransaction(),
    })),
  );
  return html`<table id="processors"><thead><tr><th>service</th><th>processor</th><th class="num">partition</th>
<th>state</th><th>health</th><th>position</th><th>head</th><th class="num">lag (events)</th><th class="num">lag</th><th>lag over time</th><th>held by</th><th></th></tr></thead>
<tbody>${services.flatMap(({ name: service, status }) =>
    status
      .filter((s) => s.active)
      .map(
        (s) => html`<tr data-processor="${service}/${s.name}">
  <td>${service}</td><td>${s.name} <span class="muted">v${s.version}</span></td>
  <td class="num">${s.partition + 1}/${s.partitions}</td>
  <td class="state-${s.state}">${s.state}${progress(s)}${s.error ? html`<div class="error">${s.error.message}</div>` : ''}${
    s.lastError ? html`<div class="error">${s.lastError}</div>` : ''
  }</td>
  <td class="health-${s.health}">${s.health}${
    s.reason ? html`<div class="reason">${s.reason}</div>` : ''
  }${s.stuckMs > 0 ? html`<div class="muted">stuck ${seconds(s.stuckMs)}</div>` : ''}</td>
  <td><code>${s.position}</code></td><td><code>${s.head}</code></td>
  <td class="num lag">${s.lagEvents} <span class="bar" style="width:${Math.min(120, s.lagEvents)}px"></span></td>
  <td class="num">${seconds(s.lagMs)}</td>
  <td class="chart">${lagChart(history.of(service, s))}</td>
  <td>${s.ownedBy ?? html`<span class="muted">nobody</span>`}${
    s.heldBy
      ? html`<div class="error">transaction ${s.heldBy.transactionId} (pid ${s.heldBy.pid}, ${seconds(s.heldBy.ageMs)})</div>`
      : ''
  }</td>
  <td class="actions">${
    viewer.canAct && s.partition === 0
      ? [
          actionForm(`${base}/processors/${service}/${s.name}/rebuild`, 'Rebuild', viewer),
          s.paused
            ? actionForm(`${base}/processors/${service}/${s.name}/resume`, 'Resume', viewer)
            : actionForm(`${base}/processors/${service}/${s.name}/pause`, 'Pause', viewer),
        ]
      : ''
  }</td></tr>`,
      ),
  )}</tbody></table>
<h2>What holds readers back</h2>
<ul id="held">${holders.map(({ name, held }) =>
    held
      ? html`<li>${name}: backend ${held.pid}, ${held.state}, open ${seconds(held.ageMs)}: <code>${held.query}</code></li>`
      : html`<li>${name}: <span class="muted">no running transaction</span></li>`,
  )}</ul>`;
}
