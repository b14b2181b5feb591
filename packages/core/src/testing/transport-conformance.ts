import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportConfigError } from '../errors/transport-config-error.ts';
import { UnavailableError } from '../errors/unavailable-error.ts';
import { ValidationError } from '../errors/validation-error.ts';
import { defineMessageStream, type MessageStreamDefinition } from '../messaging/message-stream.ts';
import type {
  ConsumerSpec,
  Delivery,
  Transport,
  TransportMessage,
} from '../messaging/transport.ts';

/** How to run the transport conformance suite against one adapter. */
export interface TransportConformanceOptions {
  /** Shown in the test names: `Transport conformance: <name>`. */
  readonly name: string;
  /** Makes the transport under test, once for the suite; `dispose` runs at the end. */
  readonly create: () => Promise<{ transport: Transport; dispose?: () => Promise<void> }>;
  /** The transport was made with `tenantSubjects: true`: also run the tenant cases (issue 13). */
  readonly tenantSubjects?: boolean;
}

/**
 * Runs the Transport contract as vitest tests: ordered, acknowledged publish with
 * de-duplication, durable consumers (ack, ack wait, nak, redelivery count, resume on the
 * same durable name, independent durable names, subject filters), dead letters, stream
 * definitions checked, and a clear error for a subject no stream holds. Each test uses
 * streams of its own (random service names), so a broker may be shared.
 *
 * @example
 * runTransportConformance({ name: 'in-process', create: async () => ({ transport: createInProcessTransport() }) });
 */
export function runTransportConformance(options: TransportConformanceOptions): void {
  describe(`Transport conformance: ${options.name}`, () => {
    let current: { transport: Transport; dispose?: () => Promise<void> } | undefined;
    const transport = () => {
      if (!current) throw new Error('the transport is not created yet (create() failed?)');
      return current.transport;
    };
    beforeAll(async () => {
      current = await options.create();
    });
    afterAll(async () => {
      await current?.dispose?.();
    });

    const freshStream = async (overrides: { duplicateWindowMs?: number } = {}) => {
      const service = `svc${randomBytes(5).toString('hex')}`;
      const stream = defineMessageStream({ service, name: `T_${service}`, ...overrides });
      await transport().ensureStreams([stream]);
      return stream;
    };
    const message = (
      stream: MessageStreamDefinition,
      n: number,
      type = 'Happened',
    ): TransportMessage => ({
      id: `${stream.service}-${n}`,
      subject: `${stream.service}.${type}`,
      headers: { 'Duet-N': String(n), 'Duet-Text': 'grüße ✓' },
      payload: JSON.stringify({ n, text: 'naïve — 日本' }),
    });
    const spec = (
      stream: MessageStreamDefinition,
      extra: Partial<ConsumerSpec> = {},
    ): ConsumerSpec => ({
      name: `c_${randomBytes(4).toString('hex')}`,
      stream,
      ackWaitMs: 30_000,
      maxDeliver: 5,
      maxAckPending: 1_000,
      ...extra,
    });
    /** Deliveries until `want` says stop; each is passed to `onDelivery` first. */
    const collect = async (
      consumer: ConsumerSpec,
      want: (seen: Delivery[]) => boolean,
      onDelivery: (delivery: Delivery) => Promise<void> | void = (d) => d.ack(),
    ) => {
      const controller = new AbortController();
      const seen: Delivery[] = [];
      for await (const batch of transport().consume(consumer, {
        signal: controller.signal,
        batch: 10,
      })) {
        for (const delivery of batch) {
          seen.push(delivery);
          await onDelivery(delivery);
        }
        if (want(seen)) controller.abort();
      }
      return seen;
    };
    const numbers = (deliveries: Delivery[]) =>
      deliveries.map((d) => (JSON.parse(d.message.payload) as { n: number }).n);

    it('publishes in order and acknowledges each message with increasing sequences', async () => {
      const stream = await freshStream();
      const acks = await transport().publish([1, 2, 3].map((n) => message(stream, n)));
      expect(acks.map((a) => a.duplicate)).toEqual([false, false, false]);
      expect(acks.map((a) => a.stream)).toEqual([stream.name, stream.name, stream.name]);
      expect(acks[1]!.sequence).toBeGreaterThan(acks[0]!.sequence);
      expect(acks[2]!.sequence).toBeGreaterThan(acks[1]!.sequence);
    });

    it('given a message id stored within the window, when published again, then it is a duplicate and delivered once', async () => {
      const stream = await freshStream();
      const [first] = await transport().publish([message(stream, 1)]);
      const [again] = await transport().publish([message(stream, 1)]);
      expect(again).toEqual({ ...first, duplicate: true });
      await transport().publish([message(stream, 2)]);
      const seen = await collect(spec(stream), (s) => numbers(s).includes(2));
      expect(numbers(seen)).toEqual([1, 2]);
    });

    it('delivers subject, headers and payload exactly as published, in order, first attempt 1', async () => {
      const stream = await freshStream();
      const sent = [1, 2, 3, 4, 5].map((n) => message(stream, n));
      await transport().publish(sent);
      const seen = await collect(spec(stream), (s) => s.length >= 5);
      expect(seen.map((d) => d.message.subject)).toEqual(sent.map((m) => m.subject));
      expect(seen.map((d) => d.message.payload)).toEqual(sent.map((m) => m.payload));
      expect(seen.map((d) => d.message.id)).toEqual(sent.map((m) => m.id));
      for (const [i, d] of seen.entries()) {
        expect(d.message.headers['Duet-N']).toBe(String(i + 1));
        expect(d.message.headers['Duet-Text']).toBe('grüße ✓');
        expect(d.attempt).toBe(1);
        expect(d.stream).toBe(stream.name);
      }
    });

    it('given an unacknowledged delivery, when its ack wait passes, then it comes again with attempt 2 and acked ones do not', async () => {
      const stream = await freshStream();
      await transport().publish([message(stream, 1), message(stream, 2)]);
      const seen = await collect(
        spec(stream, { ackWaitMs: 500 }),
        (s) => s.some((d) => d.attempt === 2),
        (d) => (numbers([d])[0] === 1 ? d.ack() : undefined),
      );
      expect(numbers(seen)).toEqual([1, 2, 2]);
      expect(seen.map((d) => d.attempt)).toEqual([1, 1, 2]);
    });

    it('given a nak with a delay, then the message comes again with the next attempt number', async () => {
      const stream = await freshStream();
      await transport().publish([message(stream, 1)]);
      const seen = await collect(
        spec(stream),
        (s) => s.length >= 3,
        (d) => (d.attempt < 3 ? d.nak(50) : d.ack()),
      );
      expect(seen.map((d) => d.attempt)).toEqual([1, 2, 3]);
    });

    it('given a durable consumer that acked some messages and stopped, when it consumes again, then it resumes after them', async () => {
      const stream = await freshStream();
      const consumer = spec(stream);
      await transport().publish([1, 2, 3].map((n) => message(stream, n)));
      expect(numbers(await collect(consumer, (s) => s.length >= 3))).toEqual([1, 2, 3]);
      await transport().publish([4, 5].map((n) => message(stream, n)));
      expect(numbers(await collect(consumer, (s) => s.length >= 2))).toEqual([4, 5]);
    });

    it('gives every durable consumer every message, independently', async () => {
      const stream = await freshStream();
      await transport().publish([1, 2, 3].map((n) => message(stream, n)));
      const [a, b] = await Promise.all([
        collect(spec(stream), (s) => s.length >= 3),
        collect(spec(stream), (s) => s.length >= 3),
      ]);
      expect(numbers(a)).toEqual([1, 2, 3]);
      expect(numbers(b)).toEqual([1, 2, 3]);
    });

    it('given a subject filter, then only matching subjects are delivered', async () => {
      const stream = await freshStream();
      await transport().publish([
        message(stream, 1, 'Wanted'),
        message(stream, 2, 'Other'),
        message(stream, 3, 'Wanted'),
      ]);
      const seen = await collect(
        spec(stream, { filterSubject: `${stream.service}.Wanted` }),
        (s) => s.length >= 2,
      );
      expect(numbers(seen)).toEqual([1, 3]);
    });

    it('keeps dead letters with the error and attempts, per consumer, until removed', async () => {
      const stream = await freshStream();
      await transport().publish([message(stream, 1)]);
      const consumer = spec(stream);
      await collect(
        consumer,
        (s) => s.length >= 1,
        async (d) => {
          await transport().deadLetter(consumer.name, d, 'handler said no');
          await d.ack();
        },
      );
      const letters = await transport().deadLetters(consumer.name);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        consumer: consumer.name,
        error: 'handler said no',
        attempts: 1,
      });
      expect(letters[0]!.message).toEqual(message(stream, 1));
      expect(await transport().deadLetters('someone_else')).toEqual([]);
      await transport().removeDeadLetter(letters[0]!.id);
      expect(await transport().deadLetters(consumer.name)).toEqual([]);
    });

    it('ensureStreams is idempotent and refuses a stream that exists with another duplicate window', async () => {
      const stream = await freshStream();
      await transport().ensureStreams([stream]);
      const changed = { ...stream, duplicateWindowMs: stream.duplicateWindowMs * 2 };
      await expect(transport().ensureStreams([changed])).rejects.toBeInstanceOf(
        TransportConfigError,
      );
    });

    // Issue 13: tenants in subjects. The port's users see contract subjects; each delivery
    // carries the tenant its subject had, '' for none.
    it.runIf(options.tenantSubjects === true)(
      'given tenantSubjects, then each delivery carries its Duet-Tenant as message.tenant (empty without one) under the contract subject, and filters still select by contract subject',
      async () => {
        const stream = await freshStream();
        const tenanted = (n: number, tenant: string | undefined, type = 'Wanted') => {
          const base = message(stream, n, type);
          return {
            ...base,
            headers: {
              ...base.headers,
              ...(tenant === undefined ? {} : { 'Duet-Tenant': tenant }),
            },
          };
        };
        await transport().publish([
          tenanted(1, 'acme'),
          tenanted(2, 'globex', 'Other'),
          tenanted(3, undefined),
          tenanted(4, 'globex'),
        ]);
        const seen = await collect(
          spec(stream, { filterSubject: `${stream.service}.Wanted` }),
          (s) => s.length >= 3,
        );
        expect(numbers(seen)).toEqual([1, 3, 4]);
        expect(seen.map((d) => d.message.tenant)).toEqual(['acme', '', 'globex']);
        expect(seen.map((d) => d.message.subject)).toEqual(
          [1, 3, 4].map(() => `${stream.service}.Wanted`),
        );
      },
    );

    it.runIf(options.tenantSubjects === true)(
      'given tenantSubjects and a batch with a tenant that cannot be a subject token, then publish is a ValidationError and none of the batch is stored',
      async () => {
        const stream = await freshStream();
        for (const bad of ['a.b', '*', '>', 'a b', '_']) {
          const good = message(stream, 1);
          const wrong = message(stream, 2);
          await expect(
            transport().publish([
              { ...good, headers: { ...good.headers, 'Duet-Tenant': 'acme' } },
              { ...wrong, headers: { ...wrong.headers, 'Duet-Tenant': bad } },
            ]),
          ).rejects.toBeInstanceOf(ValidationError);
        }
        await transport().publish([message(stream, 3)]);
        expect(numbers(await collect(spec(stream), (s) => s.length >= 1))).toEqual([3]);
      },
    );

    it('refuses to publish to a subject no stream holds with UnavailableError', async () => {
      const nobody = `nobody${randomBytes(5).toString('hex')}`;
      await expect(
        transport().publish([{ id: 'x', subject: `${nobody}.Thing`, headers: {}, payload: '{}' }]),
      ).rejects.toBeInstanceOf(UnavailableError);
    });
  });
}
