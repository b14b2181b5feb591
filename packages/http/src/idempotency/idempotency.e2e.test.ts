import { createInMemoryIdempotencyStore } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CartServer,
  postJson,
  problemType,
  startCartServer,
} from '../../test-support/cart-server.ts';
import { apiKeyAuthentication } from '../auth/api-key-authentication.ts';

const alice = { 'x-api-key': 'alice-key' };
const bob = { 'x-api-key': 'bob-key' };

describe('Idempotency-Key on commands', () => {
  let server: CartServer;
  beforeAll(async () => {
    server = await startCartServer({
      idempotency: createInMemoryIdempotencyStore(),
      authenticate: apiKeyAuthentication({
        keys: {
          'alice-key': { id: 'alice', roles: ['shopper'] },
          'bob-key': { id: 'bob', roles: ['shopper'] },
        },
      }),
    });
  });
  afterAll(() => server.close());

  it('given a key, when the same command is repeated, then the stored result comes back marked as a replay and nothing runs twice', async () => {
    const headers = { ...alice, 'idempotency-key': 'k-1' };
    const first = await postJson(`${server.url}/commands/OpenCart`, { cartId: 'i1' }, headers);
    const before = await server.allEvents();
    // The same body in another key order is the same request.
    const again = await postJson(`${server.url}/commands/OpenCart`, '{ "cartId" : "i1" }', headers);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('duet-position')).toBe(first.headers.get('duet-position'));
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await server.allEvents()).toEqual(before);
  });

  it('given a used key, when sent with another body, then 422 idempotency-key-reused and nothing runs', async () => {
    const headers = { ...alice, 'idempotency-key': 'k-2' };
    await postJson(`${server.url}/commands/OpenCart`, { cartId: 'i2' }, headers);
    const before = (await server.allEvents()).length;
    const other = await postJson(`${server.url}/commands/OpenCart`, { cartId: 'i3' }, headers);
    expect(other.status).toBe(422);
    expect(await problemType(other)).toBe('urn:duet:problem:idempotency-key-reused');
    expect((await server.allEvents()).length).toBe(before);
  });

  it('given one key used by two principals, when both send, then each gets its own result', async () => {
    const a = await postJson(
      `${server.url}/commands/OpenCart`,
      { cartId: 'ia' },
      { ...alice, 'idempotency-key': 'shared' },
    );
    const b = await postJson(
      `${server.url}/commands/OpenCart`,
      { cartId: 'ib' },
      { ...bob, 'idempotency-key': 'shared' },
    );
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('given 10 concurrent duplicates, when sent at once, then the command runs once and the others are replays or 409 in progress', async () => {
    const headers = { ...alice, 'idempotency-key': 'k-burst' };
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        postJson(`${server.url}/commands/OpenCart`, { cartId: 'burst' }, headers),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    const busy = responses.find((response) => response.status === 409);
    if (busy) {
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await problemType(busy)).toBe('urn:duet:problem:idempotency-key-in-use');
    }
    const opened = (await server.allEvents()).filter((event) => event.stream === 'cart-burst');
    expect(opened).toHaveLength(1);
  });

  it('given a key whose command failed, when retried, then it runs again (failures are not stored)', async () => {
    const headers = { ...alice, 'idempotency-key': 'k-fail' };
    const add = { cartId: 'later', sku: 'a', quantity: 1 };
    const failed = await postJson(`${server.url}/commands/AddItem`, add, headers);
    expect(failed.status).toBe(422);
    await postJson(`${server.url}/commands/OpenCart`, { cartId: 'later' }, alice);
    const retried = await postJson(`${server.url}/commands/AddItem`, add, headers);
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('given a malformed key, when sent, then 400 validation', async () => {
    const response = await postJson(
      `${server.url}/commands/OpenCart`,
      { cartId: 'x' },
      { ...alice, 'idempotency-key': 'k'.repeat(300) },
    );
    expect(response.status).toBe(400);
  });
});
