import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  type ConsoleFixture,
  keys,
  openConsoleFixture,
} from '../../test-support/console-app.ts';

let fixture: ConsoleFixture;
beforeAll(async () => {
  fixture = await openConsoleFixture();
  for (let i = 0; i < 30; i += 1) {
    await fixture.store.append(`counter-${String(i).padStart(2, '0')}`, [
      { type: 'Added', data: { by: i } },
    ]);
  }
  await fixture.store.append('note-<b>x</b>', [{ type: 'Noted', data: { note: '<script>' } }]);
});
afterAll(() => fixture.close());

const get = (url: string, key: string | null = keys.staff) =>
  fixture.app.inject({ method: 'GET', url, headers: key ? as(key) : {} });

describe('streams page', () => {
  it('given 31 streams, when listed, then the newest 25 come first and Older pages on to the rest', async () => {
    const first = await get('/console/streams');
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toContain('text/html');
    // The newest first, its name escaped.
    expect(first.body.indexOf('note-&lt;b&gt;x&lt;/b&gt;')).toBeLessThan(
      first.body.indexOf('counter-29'),
    );
    expect(first.body).not.toContain('<b>x</b>');
    expect(first.body).not.toContain('counter-05<');
    const older = /id="older" href="([^"]+)"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(older).toBeDefined();
    const second = await get(older!);
    expect(second.statusCode).toBe(200);
    for (let i = 0; i < 6; i += 1) expect(second.body).toContain(`counter-0${i}<`);
    expect(second.body).not.toContain('counter-06<');
    expect(second.body).toContain('no older streams');
  });

  it('given a search, when by prefix or category, then only matching streams are listed', async () => {
    const prefix = await get('/console/streams?q=counter-1&by=prefix');
    expect(prefix.body.match(/counter-1\d</g)).toHaveLength(10);
    expect(prefix.body).not.toContain('counter-2');
    const category = await get('/console/streams?q=note&by=category');
    expect(category.body).toContain('note-&lt;b&gt;');
    expect(category.body).not.toContain('counter-');
  });

  it('given bad input, then a bad cursor is 400, an unknown store 404, no principal 401 with the login form, a customer 403', async () => {
    expect((await get('/console/streams?before=bm9wZQ')).statusCode).toBe(400);
    expect((await get('/console/streams?before=%5B%5D')).statusCode).toBe(400);
    expect((await get('/console/streams?store=nope')).statusCode).toBe(404);
    const anonymous = await get('/console/streams', null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain('name="credential"');
    expect((await get('/console/streams', 'wrong')).statusCode).toBe(401);
    expect((await get('/console/streams', keys.customer)).statusCode).toBe(403);
    expect((await get('/console/streams', keys.viewer)).statusCode).toBe(200);
  });

  it('given the assets, when fetched without login, then htmx 2, its SSE extension, the morph swap and the stylesheet come from the package', async () => {
    const htmx = await get('/console/assets/htmx.min.js', null);
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain('2.0.');
    expect((await get('/console/assets/sse.js', null)).statusCode).toBe(200);
    expect((await get('/console/assets/morph.js', null)).body).toContain('defineExtension("morph"');
    expect((await get('/console/assets/console.css', null)).headers['content-type']).toContain(
      'text/css',
    );
    expect((await get('/console/assets/other.js', null)).statusCode).toBe(404);
  });
});
