import { type Delivery, defineMessageStream, ValidationError } from '@duet/core';
import { connect } from '@nats-io/transport-node';
import { describe, expect, inject, it } from 'vitest';
import { openNatsTransport } from './open-nats-transport.ts';
import { deleteStreams, testDeadLetters, uniqueService } from './testing/index.ts';

// Two deployments on one server, each with the same service and subjects (`orders.>`),
// kept apart only by subjectPrefix: each sees its own messages, under the subjects it
// published, and the wire carries the prefix.
const natsUrl = inject('natsUrl');

describe.skipIf(natsUrl === null)('subjectPrefix on NATS', () => {
  it('given two transports with their own prefix and the same subjects, then each stores, filters and delivers only its own messages, with the subjects it published', async () => {
    const servers = natsUrl as string;
    const namespaces = [uniqueService('t_blue'), uniqueService('t_green')];
    const streams = namespaces.map((ns) =>
      defineMessageStream({ service: 'orders', name: `T_${ns.toUpperCase()}` }),
    );
    const letters = namespaces.map(() => testDeadLetters());
    const transports = await Promise.all(
      namespaces.map((subjectPrefix, i) =>
        openNatsTransport({ servers, subjectPrefix, deadLetters: letters[i]! }),
      ),
    );
    const wire = await connect({ servers });
    const onWire: string[] = [];
    const tap = wire.subscribe(`${namespaces[0]}.orders.>`, {
      callback: (_error, msg) => {
        onWire.push(msg.subject);
      },
    });
    await wire.flush();
    try {
      for (const [i, transport] of transports.entries()) {
        await transport.ensureStreams([streams[i]!]);
        await transport.publish([
          {
            id: `${namespaces[i]}-1`,
            subject: 'orders.OrderPlaced',
            headers: {},
            payload: `{"n":${i}}`,
          },
          {
            id: `${namespaces[i]}-2`,
            subject: 'orders.OrderShipped',
            headers: {},
            payload: `{"n":${i}}`,
          },
        ]);
      }
      const received = await Promise.all(
        transports.map(async (transport, i) => {
          const stop = new AbortController();
          const got: Delivery[] = [];
          for await (const batch of transport.consume(
            {
              name: 'history',
              stream: streams[i]!,
              filterSubject: 'orders.OrderPlaced',
              ackWaitMs: 30_000,
              maxDeliver: 5,
              maxAckPending: 100,
            },
            { signal: stop.signal },
          )) {
            for (const delivery of batch) {
              got.push(delivery);
              await delivery.ack();
            }
            if (got.length >= 1) stop.abort();
          }
          return got.map((d) => ({ subject: d.message.subject, payload: d.message.payload }));
        }),
      );
      expect(received).toEqual([
        [{ subject: 'orders.OrderPlaced', payload: '{"n":0}' }],
        [{ subject: 'orders.OrderPlaced', payload: '{"n":1}' }],
      ]);
      await wire.flush();
      expect(onWire).toEqual([
        `${namespaces[0]}.orders.OrderPlaced`,
        `${namespaces[0]}.orders.OrderShipped`,
      ]);
    } finally {
      tap.unsubscribe();
      await wire.close();
      for (const transport of transports) await transport.close();
      await deleteStreams(servers, [
        ...streams.map((s) => s.name),
        ...letters.map((l) => l.stream),
      ]);
    }
  });

  it('given a prefix with a wildcard or an empty token, then opening the transport is a ValidationError naming subjectPrefix', async () => {
    for (const subjectPrefix of ['a.>', 'a..b', 'a b', '*']) {
      await expect(
        openNatsTransport({ servers: natsUrl as string, subjectPrefix }),
      ).rejects.toThrow(ValidationError);
      await expect(
        openNatsTransport({ servers: natsUrl as string, subjectPrefix }),
      ).rejects.toThrow(/subjectPrefix/);
    }
  });
});
