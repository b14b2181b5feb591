import type { ProjectionStatus, RebuildRequest } from '@duet/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  type ConsoleFixture,
  keys,
  openConsoleFixture,
} from '../../test-support/console-app.ts';
import { SESSION_COOKIE } from '../access/console-session.ts';

// The processors here are a stand-in that records what the console asks of it; the shop's
// browser test drives real ones.
const asked: string[] = [];
const status: ProjectionStatus = {
  name: 'order_list',
  version: 1,
  partition: 0,
  partitions: 1,
  active: true,
  state: 'live',
  position: '0/1' as ProjectionStatus['position'],
  head: '0/3' as ProjectionStatus['head'],
  lagEvents: 2,
  lagMs: 1500,
  applied: 1,
  owned: true,
  ownedBy: 'host:1:abc',
  health: 'healthy',
  stuckMs: 0,
};
let current: ProjectionStatus = status;
const processors = {
  status: async () => [current],
  rebuildRequests: {
    request: async (name: string): Promise<RebuildRequest> => {
      asked.push(name);
      return { id: '1', name, state: 'pending', requestedAt: new Date().toISOString() };
    },
    get: async () => null,
    withdraw: async () => false,
  },
  deadLetters: { list: async () => [], retry: async () => 0, skip: async () => 0 },
  async pause(name: string, { by }: { by?: string } = {}) {
    asked.push(`pause ${name} by ${by}`);
    current = { ...current, state: 'paused', health: 'paused', paused: { at: 'now', by: by! } };
    return { name, pausedAt: 'now', pausedBy: by! };
  },
  async resume(name: string) {
    asked.push(`resume ${name}`);
    const { paused: _, ...rest } = current;
    current = { ...rest, state: 'live', health: 'healthy' };
  },
};

let fixture: ConsoleFixture;
beforeAll(async () => {
  fixture = await openConsoleFixture({
    processors: [{ name: 'orders', processors }],
    now: () => new Date('2026-11-20T10:00:00Z'),
  });
});
afterAll(() => fixture.close());

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
const auditEvents = async () => {
  const events = [];
  for await (const e of fixture.store.readStream('console_audit-2026-11-20')) events.push(e);
  return events;
};
const rebuild = (headers: Record<string, string>, payload: string) =>
  fixture.app.inject({
    method: 'POST',
    url: '/console/processors/orders/order_list/rebuild',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload,
  });

describe('processors page', () => {
  it('given processors, when shown, then position, head, lag, holder and a rebuild button for staff only', async () => {
    const staff = await fixture.app.inject({ url: '/console/processors', headers: as(keys.staff) });
    expect(staff.statusCode).toBe(200);
    expect(staff.body).toContain('order_list');
    expect(staff.body).toContain('host:1:abc');
    expect(staff.body).toContain('1.5 s');
    expect(staff.body).toContain('>Rebuild<');
    expect(staff.body).toContain('sse-connect="/console/processors/live"');
    const viewer = await fixture.app.inject({
      url: '/console/processors',
      headers: as(keys.viewer),
    });
    expect(viewer.body).toContain('order_list');
    expect(viewer.body).not.toContain('>Rebuild<');
  });

  it('given refused rebuilds (no CSRF, a wrong one, the viewer role, no principal, unknown processor), then nothing is asked or recorded', async () => {
    const page = await fixture.app.inject({ url: '/console/processors', headers: as(keys.staff) });
    const csrf = csrfOf(page.body)!;
    expect((await rebuild(as(keys.staff), '')).statusCode).toBe(403);
    expect((await rebuild(as(keys.staff), '_csrf=forged')).statusCode).toBe(403);
    const viewerPage = await fixture.app.inject({
      url: '/console/streams',
      headers: as(keys.viewer),
    });
    expect((await rebuild(as(keys.viewer), `_csrf=${csrfOf(viewerPage.body)}`)).statusCode).toBe(
      403,
    );
    // The staff's token is bound to the staff, not to whoever sends it.
    expect((await rebuild(as(keys.viewer), `_csrf=${csrf}`)).statusCode).toBe(403);
    expect((await rebuild({}, `_csrf=${csrf}`)).statusCode).toBe(401);
    const unknown = await fixture.app.inject({
      method: 'POST',
      url: '/console/processors/orders/nope/rebuild',
      headers: { ...as(keys.staff), 'x-csrf-token': csrf },
    });
    expect(unknown.statusCode).toBe(404);
    expect(asked).toEqual([]);
    expect(await auditEvents()).toEqual([]);
  });

  it('given staff with the token, when rebuilding, then the runner is asked and the action is an audit event', async () => {
    const page = await fixture.app.inject({ url: '/console/processors', headers: as(keys.staff) });
    const response = await rebuild(as(keys.staff), `_csrf=${csrfOf(page.body)}`);
    expect(response.statusCode).toBe(303);
    expect(asked).toEqual(['order_list']);
    const [audit] = await auditEvents();
    expect(audit).toMatchObject({
      type: 'ConsoleActionTaken',
      data: {
        action: 'rebuild',
        target: { service: 'orders', processor: 'order_list' },
        outcome: 'done',
      },
      metadata: { actor: 'sam' },
    });
  });

  it('given the login form, when a staff key logs in, then the cookie session works and its POSTs need its own token', async () => {
    const login = await fixture.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `credential=${keys.staff}`,
    });
    expect(login.statusCode).toBe(303);
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    const headers = { cookie: `${SESSION_COOKIE}=${cookie.value}` };
    const page = await fixture.app.inject({ url: '/console/processors', headers });
    expect(page.statusCode).toBe(200);
    expect((await rebuild(headers, '_csrf=x')).statusCode).toBe(403);
    expect((await rebuild(headers, `_csrf=${csrfOf(page.body)}`)).statusCode).toBe(303);
    const tampered = { cookie: `${SESSION_COOKIE}=${cookie.value.replace(/.$/, 'A')}x` };
    expect(
      (await fixture.app.inject({ url: '/console/processors', headers: tampered })).statusCode,
    ).toBe(401);
    const wrong = await fixture.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'credential=nope',
    });
    expect(wrong.statusCode).toBe(401);
  });
});

describe('pause and resume', () => {
  const act = (action: string, csrf: string, key: string = keys.staff) =>
    fixture.app.inject({
      method: 'POST',
      url: `/console/processors/orders/order_list/${action}`,
      headers: { ...as(key), 'x-csrf-token': csrf },
    });

  it('given staff, when they pause and then resume a processor, then each is asked in their name, audited, and the page offers the other button', async () => {
    asked.length = 0;
    const before = await fixture.app.inject({
      url: '/console/processors',
      headers: as(keys.staff),
    });
    expect(before.body).toContain('>Pause<');
    const csrf = csrfOf(before.body)!;
    const paused = await act('pause', csrf);
    expect(paused.statusCode).toBe(303);
    expect(paused.headers.location).toBe(
      '/console/processors?action=pause&done=orders%2Forder_list',
    );
    const shown = await fixture.app.inject({
      url: paused.headers.location as string,
      headers: as(keys.staff),
    });
    expect(shown.body).toContain('orders/order_list: Paused');
    expect(shown.body).toContain('<td class="state-paused">paused');
    expect(shown.body).toContain('>Resume<');
    expect(shown.body).not.toContain('>Pause<');
    expect((await act('resume', csrf)).statusCode).toBe(303);
    expect(asked).toEqual(['pause order_list by sam', 'resume order_list']);
    const actions = (await auditEvents()).map((e) => (e.data as { action: string }).action);
    expect(actions.slice(-2)).toEqual(['pause', 'resume']);
  });

  it('given the read-only viewer or an unknown action, when they POST, then nothing is asked', async () => {
    asked.length = 0;
    const page = await fixture.app.inject({ url: '/console/streams', headers: as(keys.viewer) });
    expect((await act('pause', csrfOf(page.body)!, keys.viewer)).statusCode).toBe(403);
    const staff = await fixture.app.inject({ url: '/console/streams', headers: as(keys.staff) });
    expect((await act('explode', csrfOf(staff.body)!)).statusCode).toBe(404);
    expect(asked).toEqual([]);
  });
});

describe('lag chart', () => {
  it('given readings over time, when the page is shown, then each partition has a line of its lag scaled to the peak', async () => {
    let clock = Date.parse('2026-11-20T10:00:00Z');
    const lags = [0, 4, 10, 6];
    let i = 0;
    const charted = await openConsoleFixture({
      processors: [
        {
          name: 'orders',
          processors: {
            ...processors,
            status: async () => [{ ...status, lagEvents: lags[Math.min(i, lags.length - 1)]! }],
          },
        },
      ],
      now: () => new Date(clock),
    });
    try {
      const first = await charted.app.inject({
        url: '/console/processors',
        headers: as(keys.viewer),
      });
      expect(first.body).toContain('collecting…');
      let body = '';
      for (i = 1; i < lags.length; i += 1) {
        clock += 1_000;
        body = (await charted.app.inject({ url: '/console/processors', headers: as(keys.viewer) }))
          .body;
      }
      expect(body).toContain('data-samples="4" data-peak="10"');
      expect(body).toContain('peak 10 events, now 6');
      // Time runs left to right over the 3 s; the peak (10) touches the top.
      expect(body).toContain('points="0.0,31.0 53.3,19.0 106.7,1.0 160.0,13.0"');
    } finally {
      await charted.close();
    }
  });
});

describe('processor health', () => {
  const reason = 'its position has not moved for 30 s while 2 events wait';
  const stalled: ProjectionStatus = { ...status, health: 'stalled', reason, stuckMs: 30_000 };

  it('given a stalled partition, when the page is shown, then its health says stalled with the reason and how long', async () => {
    current = stalled;
    try {
      const page = await fixture.app.inject({
        url: '/console/processors',
        headers: as(keys.viewer),
      });
      expect(page.body).toContain('<td class="health-stalled">stalled');
      expect(page.body).toContain(`<div class="reason">${reason}</div>`);
      expect(page.body).toContain('stuck 30.0 s');
    } finally {
      current = status;
    }
    const healthy = await fixture.app.inject({
      url: '/console/processors',
      headers: as(keys.viewer),
    });
    expect(healthy.body).toContain('<td class="health-healthy">healthy</td>');
  });

  it('given a stalled partition, when the live view refreshes, then its SSE event carries the health and the reason', async () => {
    current = stalled;
    const live = await openConsoleFixture({ processors: [{ name: 'orders', processors }] });
    try {
      const address = await live.app.listen({ host: '127.0.0.1', port: 0 });
      const response = await fetch(`${address}/console/processors/live`, {
        headers: as(keys.viewer),
      });
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('</table>'))
        text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toContain('data:   <td class="health-stalled">stalled');
      expect(text).toContain(reason);
      await reader.cancel();
    } finally {
      current = status;
      await live.close();
    }
  });
});

describe('live processors view', () => {
  it('given a listener, when it connects, then the table comes as the SSE event processors, and closing the app ends the stream', async () => {
    const live = await openConsoleFixture({ processors: [{ name: 'orders', processors }] });
    const address = await live.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${address}/console/processors/live`, {
      headers: as(keys.viewer),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('order_list'))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: processors\ndata: <table id="processors">');
    await live.close();
    for (;;) if ((await reader.read()).done) break;
  });
});
