import { natsAuthorizationConfig, natsServicePermissions, openNatsTransport } from '@duet/nats';
import {
  natsServerBinaryFound,
  startNatsServer,
  testDeadLetters,
  testStream,
} from '@duet/nats/testing';
import { describe, expect, it } from 'vitest';
import { runDuet } from '../test-support/run-duet.ts';

// Issue 13: `duet dead-letters --nats` against a server with per-service users: it logs in
// as NATS_USER / NATS_PASSWORD from the environment, and a service's user lists its own
// consumer's dead letters. Without a login the server refuses it (exit 4).
const binaryFound = natsServerBinaryFound();
if (!binaryFound) console.warn('skipping the CLI NATS users test: no nats-server binary');

describe.skipIf(!binaryFound)('duet dead-letters --nats with NATS users', () => {
  it('given NATS_USER and NATS_PASSWORD of the consuming service, then it lists its dead letters; given none, then exit 4', async () => {
    const stream = testStream('orders');
    const deadLetters = testDeadLetters();
    const durable = 'history_orders';
    const password = 'not-a-secret';
    await using server = await startNatsServer({
      jetstream: true,
      config: natsAuthorizationConfig([
        {
          user: 'history',
          password,
          permissions: natsServicePermissions({
            service: 'history',
            consumes: [{ stream, durable }],
            deadLetters,
          }),
        },
        {
          user: 'admin',
          password,
          permissions: { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } },
        },
      ]),
      login: { user: 'admin', pass: password },
    });
    {
      // The consuming service gives up on one message.
      await using history = await openNatsTransport({
        servers: server.url,
        user: 'history',
        password,
        inboxPrefix: '_INBOX_history',
        deadLetters,
      });
      await using admin = await openNatsTransport({
        servers: server.url,
        user: 'admin',
        password,
        deadLetters,
      });
      await admin.ensureStreams([stream]);
      await admin.publish([
        { id: 'evt-1', subject: `${stream.service}.OrderPlaced`, headers: {}, payload: '{}' },
      ]);
      const controller = new AbortController();
      for await (const [delivery] of history.consume(
        { name: durable, stream, ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 10 },
        { signal: controller.signal },
      )) {
        await history.deadLetter(durable, delivery!, 'handler said no');
        await delivery!.ack();
        controller.abort();
      }
    }
    const flags = [
      '--nats',
      server.url,
      '--dead-letter-stream',
      deadLetters.stream,
      '--dead-letter-prefix',
      deadLetters.subjectPrefix,
      '--json',
    ];
    const listed = await runDuet(['dead-letters', 'list', ...flags], {
      NATS_USER: 'history',
      NATS_PASSWORD: password,
    });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { consumer: durable, error: 'handler said no', message: { id: 'evt-1' } },
    ]);
    const anonymous = await runDuet(['dead-letters', 'list', ...flags]);
    expect(anonymous.code).toBe(4);
  }, 60_000);
});
