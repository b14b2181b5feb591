// Child process of the relay fault test: one service's relay (a processor on the runner)
// publishing to NATS, which the test SIGKILLs at random moments. Prints `{"event":"started"}`
// once running; SIGTERM stops it.
//
//   node --import tsx relay-child.ts <database url> <schema> <nats url> <service>
import { createRelay } from '@duet/core';
import { createPgExecutor, createPostgresEventStore } from '@duet/postgres';
import { openNatsTransport } from '../src/open-nats-transport.ts';
import { orderContracts } from './order-messages.ts';
import { startRelayRunner } from './start-relay-runner.ts';

const [databaseUrl, schema, natsUrl, service] = process.argv.slice(2);
if (!databaseUrl || !schema || !natsUrl || !service) {
  throw new Error('usage: relay-child.ts <database url> <schema> <nats url> <service>');
}
const executor = createPgExecutor({ connectionString: databaseUrl, max: 4 });
const store = createPostgresEventStore({ executor, schema });
// The broker may be restarting: keep trying, as a service's start-up would under a supervisor.
let transport: Awaited<ReturnType<typeof openNatsTransport>> | undefined;
while (!transport) {
  transport = await openNatsTransport({ servers: natsUrl }).catch(async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return undefined;
  });
}
const relay = createRelay({ contracts: orderContracts(service), transport, store });
const runner = await startRelayRunner({ executor, schema, relay });
process.stdout.write(`${JSON.stringify({ event: 'started' })}\n`);
process.once('SIGTERM', async () => {
  await runner.stop();
  await transport.close();
  await store.close();
  await executor.close();
  process.exit(0);
});
