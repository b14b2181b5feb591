import type { DeadLetteredMessage } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  type ConsoleFixture,
  keys,
  openConsoleFixture,
} from '../../test-support/console-app.ts';

// A broker consumer stand-in whose dead letters the console lists and replays.
const letter = (id: string): DeadLetteredMessage => ({
  id,
  consumer: 'stock_requests',
  message: { subject: 'orders.placed' } as DeadLetteredMessage['message'],
  error: 'boom <b>',
  attempts: 3,
  at: '2026-11-20T10:00:00.000Z',
});
let letters: DeadLetteredMessage[] = [letter('m-1'), letter('m-2')];
const replayed: string[] = [];
const discarded: string[] = [];
const consumer = {
  name: 'stock_requests',
  deadLetters: async () => letters,
  replay: async (id?: string) => {
    replayed.push(id ?? '*');
    letters = letters.filter((l) => l.id !== id);
    return 1;
  },
  discard: async (id?: string) => {
    discarded.push(id ?? '*');
    letters = letters.filter((l) => l.id !== id);
    return 1;
  },
};

let fixture: ConsoleFixture;
beforeAll(async () => {
  fixture = await openConsoleFixture({
    consumers: [consumer],
    now: () => new Date('2026-11-20T10:00:00Z'),
  });
});
afterAll(() => fixture.close());

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
const act = (action: string) => (key: string, id: string, csrf: string) =>
  fixture.app.inject({
    method: 'POST',
    url: `/console/dead-letters/consumers/stock_requests/${id}/${action}`,
    headers: { ...as(key), 'x-csrf-token': csrf },
  });
const retry = act('retry');
const skip = act('skip');

describe('dead letters page', () => {
  it('given a consumer dead letter, when the viewer looks, then it is listed without a retry button and the viewer cannot retry', async () => {
    const page = await fixture.app.inject({
      url: '/console/dead-letters',
      headers: as(keys.viewer),
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('boom &lt;b&gt;');
    expect(page.body).not.toContain('>Retry<');
    expect(page.body).not.toContain('>Skip<');
    expect((await retry(keys.viewer, 'm-1', csrfOf(page.body)!)).statusCode).toBe(403);
    expect((await skip(keys.viewer, 'm-1', csrfOf(page.body)!)).statusCode).toBe(403);
    expect(replayed).toEqual([]);
    expect(discarded).toEqual([]);
  });

  it('given staff, when retrying an unknown id, then 404; a known one is replayed, audited and gone', async () => {
    const page = await fixture.app.inject({
      url: '/console/dead-letters',
      headers: as(keys.staff),
    });
    const csrf = csrfOf(page.body)!;
    expect((await retry(keys.staff, 'm-9', csrf)).statusCode).toBe(404);
    expect(replayed).toEqual([]);
    expect((await retry(keys.staff, 'm-1', csrf)).statusCode).toBe(303);
    expect(replayed).toEqual(['m-1']);
    expect(page.body).toContain('>Skip<');
    expect((await skip(keys.staff, 'm-9', csrf)).statusCode).toBe(404);
    expect((await skip(keys.staff, 'm-2', csrf)).statusCode).toBe(303);
    expect(discarded).toEqual(['m-2']);
    expect(replayed).toEqual(['m-1']);
    const audit = [];
    for await (const e of fixture.store.readStream('console_audit-2026-11-20')) audit.push(e);
    expect(audit.map((e) => (e.data as { action: string }).action)).toEqual([
      'retry-dead-letter',
      'skip-dead-letter',
    ]);
    const after = await fixture.app.inject({
      url: '/console/dead-letters',
      headers: as(keys.staff),
    });
    expect(after.body).toContain('no dead letters');
  });
});
