import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  type ConsoleFixture,
  keys,
  openConsoleFixture,
} from '../../test-support/console-app.ts';

let fixture: ConsoleFixture;
let causeId: string;
beforeAll(async () => {
  fixture = await openConsoleFixture();
  const meta = { correlationId: 'req-7' };
  await fixture.store.append('counter-a', [
    { type: 'Added', data: { by: 2 }, metadata: meta },
    { type: 'Added', data: { by: 3 }, metadata: meta },
  ]);
  for await (const event of fixture.store.readStream('counter-a', { maxCount: 1 }))
    causeId = event.id;
  await fixture.store.append('counter-a', [
    { type: 'Noted', data: { note: '<i>hi</i>' }, metadata: { ...meta, causationId: causeId } },
  ]);
  await fixture.store.append('other-b', [{ type: 'Seen', data: {}, metadata: meta }]);
});
afterAll(() => fixture.close());

const get = (url: string) => fixture.app.inject({ method: 'GET', url, headers: as(keys.staff) });
const stateOf = (body: string) =>
  JSON.parse(
    /<pre id="state">([^<]*)<\/pre>/
      .exec(body)![1]!
      .replaceAll('&quot;', '"')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>'),
  );

describe('stream page', () => {
  it('given a stream with a decider, when shown, then every event with data and metadata, and the last state', async () => {
    const response = await get('/console/streams/main/counter-a');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('&lt;i&gt;hi&lt;/i&gt;');
    expect(response.body).toContain('&quot;correlationId&quot;: &quot;req-7&quot;');
    expect(stateOf(response.body)).toEqual({ total: 5, notes: ['<i>hi</i>'] });
    expect(response.body).toContain(`/console/events/${causeId}`);
  });

  it('given a version, when time travelling, then the state then and what that version changed', async () => {
    const response = await get('/console/streams/main/counter-a?at=2');
    expect(stateOf(response.body)).toEqual({ total: 5, notes: [] });
    expect(response.body).toMatch(/<code>total<\/code> changed: <code>2<\/code> → <code>5<\/code>/);
    expect(stateOf((await get('/console/streams/main/counter-a?at=0')).body)).toEqual({
      total: 0,
      notes: [],
    });
  });

  it('given links, when followed, then the cause redirects to its row and the request lists events of every stream', async () => {
    const cause = await get(`/console/events/${causeId}`);
    expect(cause.statusCode).toBe(302);
    expect(cause.headers.location).toBe('/console/streams/main/counter-a#v1');
    const chain = await get('/console/correlation/req-7');
    expect(chain.statusCode).toBe(200);
    expect(chain.body.match(/<tr id="e-/g)).toHaveLength(4);
    expect(chain.body).toContain('other-b');
  });

  it('given bad input, then an unknown stream, store, event or request is 404 and a bad version 400', async () => {
    expect((await get('/console/streams/main/counter-zzz')).statusCode).toBe(404);
    expect((await get('/console/streams/nope/counter-a')).statusCode).toBe(404);
    expect((await get('/console/streams/main/counter-a?at=9')).statusCode).toBe(400);
    expect((await get('/console/streams/main/counter-a?at=-1')).statusCode).toBe(400);
    expect((await get('/console/streams/main/counter-a?at=1e3')).statusCode).toBe(400);
    expect((await get('/console/events/not-an-id')).statusCode).toBe(404);
    expect((await get('/console/correlation/nothing')).statusCode).toBe(404);
    const page = await get('/console/streams/main/other-b');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No decider registered for category other');
  });
});
