// Child process of the relay fault test: the other service's consumer, writing one effect
// row per message in its inbox transaction; the test SIGKILLs it at random moments.
// Prints `{"event":"started"}` once consuming; SIGTERM stops it.
//
//   node --import tsx consumer-child.ts <database url> <schema> <nats url> <service> <stream name>
import { createIntegrationConsumer, defineMessageStream } from '@duet/core';
import { createPgExecutor, createPostgresInbox } from '@duet/postgres';
import { openNatsTransport } from '../src/open-nats-transport.ts';
import { orderContracts, recordEffect } from './order-messages.ts';

const [databaseUrl, schema, natsUrl, service, streamName] = process.argv.slice(2);
if (!databaseUrl || !schema || !natsUrl || !service || !streamName) {
  throw new Error(
    'usage: consumer-child.ts <database url> <schema> <nats url> <service> <stream name>',
  );
}
const executor = createPgExecutor({ connectionString: databaseUrl, max: 4 });
let transport: Awaited<ReturnType<typeof openNatsTransport>> | undefined;
while (!transport) {
  transport = await openNatsTransport({ servers: natsUrl }).catch(async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return undefined;
  });
}
const consumer = createIntegrationConsumer({
  name: 'history',
  transport,
  inbox: createPostgresInbox({ executor, schema }),
  source: defineMessageStream({ service, name: streamName }),
  contracts: orderContracts(service),
  ackWaitMs: 2_000,
  maxDeliver: 1_000,
  handle: (message, { tx }) => recordEffect(tx, schema, 'history', message),
});
await consumer.start();
process.stdout.write(`${JSON.stringify({ event: 'started' })}\n`);
process.once('SIGTERM', async () => {
  await consumer.stop();
  await transport.close();
  await executor.close();
  process.exit(0);
});
