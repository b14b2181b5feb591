// The packaging check's example, run from a scratch project that installed the packed
// tarballs: the core README's decider (account.ts, copied beside this file) on the
// in-memory store, then on PGlite through @duet/postgres, behind @duet/http's routes.
import {
  createCommandBus,
  createEventRegistry,
  createQueryBus,
  defineCommandHandler,
  defineQuery,
  defineQueryHandler,
  foldEvents,
  type QueryResultOf,
} from '@duet/core';
import { duetHttp } from '@duet/http';
import { createPGliteExecutor, createPostgresEventStore, migrate } from '@duet/postgres';
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import { z } from 'zod';
import { account, Deposit, Deposited, bus as inMemoryBus } from './account.ts';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`example: ${what}`);
}

// The README's example as it is: the in-memory store.
const inMemory = await inMemoryBus.send(Deposit.create({ account: 'a1', cents: 500 }));
check(inMemory.stream === 'account-a1' && inMemory.streamVersion === 1, 'in-memory append');

// The same decider on PGlite, behind HTTP.
const Balance = defineQuery('Balance', {
  params: z.object({ account: z.string() }),
  result: z.number(),
});
const db = await PGlite.create();
const executor = createPGliteExecutor(db);
await migrate(executor, { schema: 'bank' });
const store = createPostgresEventStore({
  executor,
  schema: 'bank',
  events: createEventRegistry([Deposited]),
});
const balanceOf = async ({
  account: id,
}: {
  account: string;
}): Promise<QueryResultOf<typeof Balance>> => {
  const events = [];
  for await (const event of store.readStream<ReturnType<typeof Deposited.create>>(
    `account-${id}`,
  )) {
    events.push(event);
  }
  return foldEvents(account, events).balance;
};
const app = Fastify();
await app.register(duetHttp, {
  commandBus: createCommandBus({
    store,
    handlers: [
      defineCommandHandler({
        decider: account,
        commands: [Deposit],
        stream: (command) => `account-${command.data.account}`,
      }),
    ],
  }),
  queryBus: createQueryBus({ handlers: [defineQueryHandler(Balance, balanceOf)] }),
  commands: [Deposit],
  queries: [Balance],
});
for (const cents of [500, 250]) {
  const sent = await app.inject({
    method: 'POST',
    url: '/commands/Deposit',
    payload: { account: 'a1', cents },
  });
  check(sent.statusCode === 200, `POST /commands/Deposit answered ${sent.statusCode} ${sent.body}`);
}
const balance = await app.inject({ method: 'GET', url: '/queries/Balance?account=a1' });
check(
  balance.statusCode === 200 && balance.json() === 750,
  `GET /queries/Balance: ${balance.body}`,
);
await app.close();
await store.close();
await db.close();
console.log(`example ok on node ${process.version}: balance 750 over HTTP, PGlite store`);
