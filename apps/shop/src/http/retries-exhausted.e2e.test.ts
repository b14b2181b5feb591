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
import { createPostgresEventStore } from '@duet/postgres';
import { openTestDatabase } from '@duet/postgres/testing';
import Fastify from 'fastify';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { reportFigures } from '../../../../scripts/reliability/report-figures.ts';

// Issue 13, S4 over HTTP: commands POSTed at once to one new stream through a bus that
// tries once, so all but the winner of each race run out of retries. A lost race is not
// the request's fault: the answer is 409 `concurrency-retries-exhausted` with Retry-After,
// never a 500.
const databaseUrl = inject('databaseUrl');
if (databaseUrl === null) console.warn('skipping the retries-exhausted test: no PostgreSQL');

const REQUESTS = 16;
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

describe.skipIf(databaseUrl === null)('a command that loses every race over HTTP', () => {
  it(`given a bus with one attempt, when ${REQUESTS} deposits race on a new stream, then the losers get a 409 concurrency-retries-exhausted problem with Retry-After and the winners' events alone are stored`, async () => {
    await using db = await openTestDatabase({ kind: 'postgres', url: databaseUrl! });
    const store = createPostgresEventStore({ executor: db.executor, schema: db.schema });
    const app = Fastify();
    await app.register(duetHttp, {
      commandBus: createCommandBus({
        store,
        maxAttempts: 1,
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
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    try {
      const responses = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) =>
          fetch(`http://127.0.0.1:${port}/commands/Deposit`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': 'k-ada' },
            body: JSON.stringify({ account: 'a1', cents: i + 1 }),
          }),
        ),
      );
      const bodies = await Promise.all(responses.map((r) => r.json()));
      const won = responses.filter((r) => r.status === 200).length;
      const lost = responses.filter((r) => r.status === 409).length;
      const stored = [];
      for await (const event of store.readStream('account-a1')) stored.push(event);
      reportFigures('S4', {
        httpRequests: REQUESTS,
        httpSucceeded: won,
        httpRetriesExhausted409: lost,
        httpOther: REQUESTS - won - lost,
      });

      expect(won + lost).toBe(REQUESTS);
      expect(lost).toBeGreaterThan(0);
      responses.forEach((response, i) => {
        if (response.status === 200) return;
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(bodies[i]).toMatchObject({
          type: 'urn:duet:problem:concurrency-retries-exhausted',
          status: 409,
        });
      });
      // Each winner's event is stored once, at contiguous versions; no loser's is.
      expect(stored.map((e) => e.streamVersion)).toEqual(stored.map((_, i) => i + 1));
      expect(stored).toHaveLength(won);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
