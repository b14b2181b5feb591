import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddItem, ListCarts, postJson, startCartServer } from '../../test-support/cart-server.ts';
import { duetHttp } from '../duet-http.ts';

async function expectProblem(response: Response, status: number, type: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `urn:duet:problem:${type}`, status });
  expect(body.title).toEqual(expect.any(String));
  expect(body.detail).toEqual(expect.any(String));
  return body;
}

// Issue 13: a path the plugin does not serve answered Fastify's default JSON.
describe('unknown paths under the plugin', () => {
  let url: string;
  const app = Fastify({ forceCloseConnections: true });

  beforeAll(async () => {
    const noBus = { send: async () => Promise.reject(new Error('unused')) };
    const noQueries = { ask: async () => Promise.reject(new Error('unused')) } as never;
    // The app's own routes and 404 handler beside the API under /api.
    app.get('/hello', async () => 'hello');
    app.setNotFoundHandler((_request, reply) => reply.code(404).send('the app has no such page'));
    await app.register(duetHttp, {
      prefix: '/api',
      commandBus: noBus,
      queryBus: noQueries,
      commands: [AddItem],
      queries: [ListCarts],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(() => app.close());

  it.each([
    ['GET', '/api/nope'],
    ['POST', '/api/orders/1'],
    ['GET', '/api'],
    ['DELETE', '/api/health'],
  ])(
    'given %s %s under the prefix, when sent, then a 404 unknown-route problem',
    async (method, path) => {
      const problem = await expectProblem(
        await fetch(`${url}${path}`, { method }),
        404,
        'unknown-route',
      );
      expect(problem.detail).toContain('/api/openapi.json');
    },
  );

  it('given a known path with the wrong method, when sent, then 405 with Allow', async () => {
    const live = await fetch(`${url}/api/health/live`, { method: 'POST' });
    await expectProblem(live, 405, 'method-not-allowed');
    expect(live.headers.get('allow')).toBe('GET, HEAD');
    const openapi = await fetch(`${url}/api/openapi.json`, { method: 'DELETE' });
    await expectProblem(openapi, 405, 'method-not-allowed');
    expect(openapi.headers.get('allow')).toBe('GET, HEAD');
  });

  it('given the catch-alls, when an unknown type or a wrong method is sent, then their own problems still', async () => {
    await expectProblem(await postJson(`${url}/api/commands/Nope`, {}), 404, 'unknown-command');
    const get = await fetch(`${url}/api/commands/AddItem`);
    await expectProblem(get, 405, 'method-not-allowed');
    expect(get.headers.get('allow')).toBe('POST');
  });

  it("given a path outside the prefix, when sent, then the app's own handler answers", async () => {
    const response = await fetch(`${url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('the app has no such page');
    expect(await (await fetch(`${url}/hello`)).text()).toBe('hello');
    expect((await fetch(`${url}/apinope`)).status).toBe(404);
  });
});

describe('unknown paths without a prefix', () => {
  it("given the default, when an unknown path is sent, then the app's 404 handler answers and the app may still set one", async () => {
    const server = await startCartServer();
    server.app.log.level = 'silent';
    const response = await fetch(`${server.url}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).not.toContain('problem');
    await server.close();

    const app = Fastify();
    await app.register(duetHttp, {
      commandBus: server.commandBus,
      queryBus: server.queryBus,
      commands: [],
      queries: [],
    });
    // The plugin left the app's 404 handler alone, so the app can still set its own.
    app.setNotFoundHandler((_request, reply) => reply.code(404).send('mine'));
    expect((await app.inject('/nope')).body).toBe('mine');
    await app.close();
  });

  it('given notFound: true, when unknown paths are sent, then 404 and 405 problems for the whole app', async () => {
    const server = await startCartServer({ notFound: true });
    const problem = await expectProblem(await fetch(`${server.url}/nope`), 404, 'unknown-route');
    expect(problem.detail).toContain(' /openapi.json');
    const wrong = await fetch(`${server.url}/health/ready`, { method: 'PUT' });
    await expectProblem(wrong, 405, 'method-not-allowed');
    await server.close();
  });
});
