import {
  createCommandBus,
  createQueryBus,
  type Decider,
  defineCommand,
  defineCommandHandler,
  defineQuery,
  defineQueryHandler,
} from '@duet/core';
import { apiKeyAuthentication, duetHttp } from '@duet/http';
import {
  createPgExecutor,
  createPostgresEventStore,
  createPostgresIdempotencyStore,
} from '@duet/postgres';
import { openTestDatabase, startPgFaultProxy, type TestDatabase } from '@duet/postgres/testing';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';

// Issue 13, scenario S3 over HTTP: a command POSTed with an Idempotency-Key; the store's
// connection is cut after the append's COMMIT and before its reply (a TCP proxy drops it),
// so the first request fails; the client retries with the same key. Deposits are not
// idempotent by nature: running one twice would show as two events.
const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the ambiguous-command test: no PostgreSQL');

const Deposit = defineCommand(
  'Deposit',
  z.object({ account: z.string(), cents: z.number().int().positive() }),
);
const Balance = defineQuery('Balance', {
  params: z.object({ account: z.string() }),
  result: z.number(),
});
type Deposited = { type: 'Deposited'; data: { cents: number } };
const account: Decider<ReturnType<typeof Deposit.create>, number, Deposited> = {
  initialState: () => 0,
  evolve: (balance, event) => balance + event.data.cents,
  decide: (command) => [{ type: 'Deposited', data: { cents: command.data.cents } }],
};

describe.skipIf(databaseUrl === null)('a command whose append reply is lost after COMMIT', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
  });
  afterAll(() => db?.dispose());

  it('given an Idempotency-Key, when the client retries after the cut, then the reply equals the original result and the events are stored once', async () => {
    await using proxy = await startPgFaultProxy(databaseUrl!);
    // The store and the keys share the schema, so the append completes the key.
    await using executor = createPgExecutor({ connectionString: proxy.url, max: 2 });
    const store = createPostgresEventStore({ executor, schema: db.schema });
    const app = Fastify();
    await app.register(duetHttp, {
      commandBus: createCommandBus({
        store,
        handlers: [
          defineCommandHandler({
            decider: account,
            commands: [Deposit],
            stream: (c) => `account-${c.data.account}`,
          }),
        ],
      }),
      queryBus: createQueryBus({ handlers: [defineQueryHandler(Balance, async () => 0)] }),
      commands: [Deposit],
      queries: [Balance],
      authenticate: apiKeyAuthentication({ keys: { 'k-ada': { id: 'ada', roles: [] } } }),
      idempotency: createPostgresIdempotencyStore({ executor, schema: db.schema }),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const deposit = (key: string, cents: number) =>
      fetch(`http://127.0.0.1:${port}/commands/Deposit`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': 'k-ada',
          'idempotency-key': key,
        },
        body: JSON.stringify({ account: 'a1', cents }),
      });

    try {
      const cut = proxy.cutAfterCommitOf('append_events');
      const first = await deposit('d-1', 500);
      await cut;
      // The server lost its database connection mid-reply: it cannot say what happened.
      expect(first.status).toBe(500);

      const retried = await deposit('d-1', 500);
      const direct = createPostgresEventStore({ executor: db.executor, schema: db.schema });
      const stored = [];
      for await (const event of direct.readStream('account-a1')) stored.push(event);
      expect(stored).toHaveLength(1);
      expect(retried.status).toBe(200);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      // The original result: what the lost reply would have said.
      expect(await retried.json()).toEqual({
        stream: 'account-a1',
        streamVersion: 1,
        position: stored[0]!.position,
        commandId: stored[0]!.metadata.commandId,
      });
      expect(retried.headers.get('duet-position')).toBe(stored[0]!.position);
      expect(retried.headers.get('etag')).toBe('"1"');

      // The same key with another body is still refused, and runs nothing.
      const reused = await deposit('d-1', 700);
      expect(reused.status).toBe(422);
      const after = [];
      for await (const event of direct.readStream('account-a1')) after.push(event);
      expect(after).toHaveLength(1);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
