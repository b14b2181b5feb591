import { createPGliteExecutor } from '@duet/postgres';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openService, type Service } from './open-service.ts';

// The whole service over HTTP on an in-memory PGlite: a command, then a query that waits
// for the projection to reach the command's position (read your own write).
describe('the service over HTTP', { timeout: 60_000 }, () => {
  let service: Service;
  let pglite: PGlite;
  let url: string;
  const headers = { 'content-type': 'application/json', 'x-api-key': 'test-key' };

  beforeAll(async () => {
    pglite = await PGlite.create();
    service = await openService(createPGliteExecutor(pglite), {
      apiKeys: { 'test-key': { id: 'tester', roles: ['user'] } },
    });
    await service.start();
    url = await service.app.listen({ host: '127.0.0.1', port: 0 });
  }, 180_000);
  afterAll(async () => {
    await service?.close();
    await pglite?.close();
  });

  const post = (type: string, body: unknown) =>
    fetch(`${url}/commands/${type}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const openTasks = async (minPosition: string) => {
    const response = await fetch(`${url}/queries/OpenTasks?minPosition=${minPosition}`, {
      headers,
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { tasks: { taskId: string }[] }).tasks;
  };

  it('given a task added over HTTP, when the open tasks are asked with its position, then it is there; once completed, it is gone', async () => {
    const added = await post('AddTask', { taskId: 'h1', title: 'Try the API' });
    expect(added.status).toBe(200);
    const { position } = (await added.json()) as { position: string };
    expect(await openTasks(position)).toEqual([{ taskId: 'h1', title: 'Try the API' }]);

    const done = await post('CompleteTask', { taskId: 'h1' });
    expect(done.status).toBe(200);
    const after = ((await done.json()) as { position: string }).position;
    expect(await openTasks(after)).toEqual([]);
  });

  it('given a task that exists, when it is added again, then 422 with its rule and nothing changes', async () => {
    await post('AddTask', { taskId: 'h2', title: 'Once' });
    const again = await post('AddTask', { taskId: 'h2', title: 'Twice' });
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ rule: 'TASK_EXISTS' });
  });

  it('given a bad body or no API key, then 400 and 401', async () => {
    expect((await post('AddTask', { taskId: '', title: 'x' })).status).toBe(400);
    const anonymous = await fetch(`${url}/queries/OpenTasks`);
    expect(anonymous.status).toBe(401);
  });
});
