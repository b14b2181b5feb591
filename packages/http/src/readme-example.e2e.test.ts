// The README's example, run as written (region "readme-example" below).
// #region readme-example
import {
  createCommandBus,
  createInMemoryEventStore,
  createInMemoryIdempotencyStore,
  createQueryBus,
  type Decider,
  defineCommand,
  defineCommandHandler,
  defineQuery,
  defineQueryHandler,
} from '@duet/core';
import { apiKeyAuthentication, duetHttp } from '@duet/http';
import Fastify from 'fastify';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';

const Deposit = defineCommand(
  'Deposit',
  z.object({ account: z.string(), cents: z.number().int().positive() }),
);
const Balance = defineQuery('Balance', {
  params: z.object({ account: z.string() }),
  result: z.number(),
});

type DepositCommand = ReturnType<typeof Deposit.create>;
type Deposited = { type: 'Deposited'; data: { cents: number } };
const account: Decider<DepositCommand, number, Deposited> = {
  initialState: () => 0,
  evolve: (balance, event) => balance + event.data.cents,
  decide: (command) => [{ type: 'Deposited', data: { cents: command.data.cents } }],
};

const store = createInMemoryEventStore();
const balances = new Map<string, number>(); // a real service reads a projection here
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
  queryBus: createQueryBus({
    handlers: [defineQueryHandler(Balance, async ({ account }) => balances.get(account) ?? 0)],
  }),
  commands: [Deposit],
  queries: [Balance],
  authenticate: apiKeyAuthentication({
    keys: { 'demo-key': { id: 'teller-1', roles: ['teller'] } },
  }),
  idempotency: createInMemoryIdempotencyStore(),
  rateLimit: { max: 100, timeWindow: '1 minute' },
  openapi: { title: 'Bank', version: '1.0.0' },
});
await app.listen({ host: '127.0.0.1', port: 0 }); // docs at /docs, OpenAPI at /openapi.json
// #endregion readme-example

afterAll(() => app.close());

it('given the README example, when a deposit is posted, then it answers with the position', async () => {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const response = await fetch(`http://127.0.0.1:${port}/commands/Deposit`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'demo-key',
      'idempotency-key': 'd-1',
    },
    body: JSON.stringify({ account: 'a1', cents: 500 }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ stream: 'account-a1', streamVersion: 1 });
  expect(response.headers.get('duet-position')).toMatch(/^[0-9a-f]{16}-[0-9a-f]{16}$/);
});
