import { randomBytes } from 'node:crypto';
import type { ConsumerSpec } from '@duet/core';
import { openNatsTransport } from '@duet/nats';
import { deleteStreams, testDeadLetters, testStream } from '@duet/nats/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDuet } from '../test-support/run-duet.ts';

// `duet dead-letters list|retry|skip --nats`: consumers' dead letters on a real NATS server.
const natsUrl = inject('natsUrl');

describe.skipIf(natsUrl === null)('duet dead-letters --nats', () => {
  const url = natsUrl as string;
  const deadLetters = testDeadLetters();
  const stream = testStream('orders');
  const flags = [
    '--nats',
    url,
    '--dead-letter-stream',
    deadLetters.stream,
    '--dead-letter-prefix',
    deadLetters.subjectPrefix,
  ];
  const consumer = `c_${randomBytes(4).toString('hex')}`;
  let transport: Awaited<ReturnType<typeof openNatsTransport>>;
  const spec = (name: string): ConsumerSpec => ({
    name,
    stream,
    ackWaitMs: 30_000,
    maxDeliver: 5,
    maxAckPending: 100,
  });
  const firstDelivery = async (name: string) => {
    const controller = new AbortController();
    for await (const [delivery] of transport.consume(spec(name), { signal: controller.signal })) {
      controller.abort();
      return delivery!;
    }
    throw new Error('no delivery');
  };

  beforeAll(async () => {
    transport = await openNatsTransport({ servers: url, deadLetters });
    await transport.ensureStreams([stream]);
    await transport.publish([
      {
        id: 'evt-1',
        subject: `${stream.service}.OrderPlaced`,
        headers: { 'Duet-Stream': 'order-1', 'Duet-Stream-Version': '1' },
        payload: '{"n":1}',
      },
    ]);
    const delivery = await firstDelivery(consumer);
    await transport.deadLetter(consumer, delivery, 'handler said no');
    await delivery.ack();
  });
  afterAll(async () => {
    await transport.close();
    await deleteStreams(url, [stream.name, deadLetters.stream]);
  });

  it('lists a consumer’s dead letters as JSON and as a table', async () => {
    const json = await runDuet([
      'dead-letters',
      'list',
      ...flags,
      '--consumer',
      consumer,
      '--json',
    ]);
    expect(json.code).toBe(0);
    const letters = JSON.parse(json.stdout) as Array<{
      consumer: string;
      error: string;
      attempts: number;
      message: { id: string };
    }>;
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      consumer,
      error: 'handler said no',
      attempts: 1,
      message: { id: 'evt-1' },
    });
    const table = await runDuet(['dead-letters', 'list', ...flags]);
    expect(table.stdout).toContain(consumer);
    expect(table.stdout).toContain('order-1@1');
    expect(table.stdout).toContain('handler said no');
  });

  it('refuses an id together with --consumer (2), an unknown id (3), and an unreachable server (4)', async () => {
    expect(
      (await runDuet(['dead-letters', 'retry', '1', '--consumer', consumer, ...flags])).code,
    ).toBe(2);
    expect((await runDuet(['dead-letters', 'retry', '999999', ...flags])).code).toBe(3);
    const down = await runDuet(['dead-letters', 'list', '--nats', 'nats://127.0.0.1:1']);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/nats-server/);
  });

  it('given a retry, then the message is on its subject again under a new broker id and leaves the dead letters', async () => {
    const listed = JSON.parse(
      (await runDuet(['dead-letters', 'list', ...flags, '--json'])).stdout,
    ) as Array<{ id: string }>;
    const retried = await runDuet(['dead-letters', 'retry', listed[0]!.id, ...flags, '--json']);
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toEqual({ retried: 1 });
    expect(
      JSON.parse((await runDuet(['dead-letters', 'list', ...flags, '--json'])).stdout),
    ).toEqual([]);
    // A fresh durable consumer sees the original, then the replay.
    const reader = `r_${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    const seen: Array<{ id: string; replayOf: string | undefined }> = [];
    for await (const batch of transport.consume(spec(reader), { signal: controller.signal })) {
      for (const d of batch) {
        seen.push({ id: d.message.id, replayOf: d.message.headers['Duet-Replay-Of'] });
        await d.ack();
      }
      if (seen.length >= 2) controller.abort();
    }
    expect(seen).toEqual([
      { id: 'evt-1', replayOf: undefined },
      { id: `evt-1:replay:${listed[0]!.id}`, replayOf: 'evt-1' },
    ]);
  });

  // Issue 12. After the retry above: the stream holds evt-1 and its replay.
  it('given a consumer’s dead letters, when they are skipped by id and by consumer, then they are dropped and counted, nothing is sent again, and none left exits 3', async () => {
    const skipper = `s_${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    let dead = 0;
    for await (const batch of transport.consume(spec(skipper), { signal: controller.signal })) {
      for (const delivery of batch) {
        await transport.deadLetter(skipper, delivery, 'never act on this');
        await delivery.ack();
        dead += 1;
      }
      if (dead >= 2) controller.abort();
    }
    const messages = () => streamMessages(url, stream.name);
    const stored = await messages();
    const listed = JSON.parse(
      (await runDuet(['dead-letters', 'list', ...flags, '--consumer', skipper, '--json'])).stdout,
    ) as Array<{ id: string }>;
    expect(listed).toHaveLength(2);

    const one = await runDuet(['dead-letters', 'skip', listed[0]!.id, ...flags]);
    expect(one).toMatchObject({ code: 0, stdout: 'dropped 1 dead letter (not sent again)\n' });
    const rest = await runDuet(['dead-letters', 'skip', '--consumer', skipper, ...flags, '--json']);
    expect(JSON.parse(rest.stdout)).toEqual({ skipped: 1 });
    const none = await runDuet(['dead-letters', 'skip', '--consumer', skipper, ...flags]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain(`no dead letters for ${skipper}`);
    expect(
      (await runDuet(['dead-letters', 'skip', '1', '--consumer', skipper, ...flags])).code,
    ).toBe(2);
    expect(
      JSON.parse(
        (await runDuet(['dead-letters', 'list', ...flags, '--consumer', skipper, '--json'])).stdout,
      ),
    ).toEqual([]);
    expect(await messages()).toBe(stored);
    // Six `duet` processes in a row: a guard against a hang, not a limit under test.
  }, 120_000);
});

/** How many messages a JetStream stream holds. */
async function streamMessages(servers: string, name: string): Promise<number> {
  const nc = await connect({ servers });
  try {
    return (await (await jetstreamManager(nc)).streams.info(name)).state.messages;
  } finally {
    await nc.close();
  }
}
