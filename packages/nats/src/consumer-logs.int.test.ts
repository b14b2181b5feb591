import { randomBytes } from 'node:crypto';
import {
  createInMemoryEventStore,
  createInMemoryInbox,
  createIntegrationConsumer,
  createRelay,
  type DuetLogger,
  inSpan,
  type RecordedEvent,
} from '@duet/core';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { OrderPlaced, orderContracts } from '../test-support/order-messages.ts';
import { type NatsTransport, openNatsTransport } from './open-nats-transport.ts';
import { deleteStreams, testDeadLetters, testStream } from './testing/index.ts';

// Issue 12: a consumer's log lines over NATS name the producer's trace, carried in the
// message's traceparent header, so the dead letter's line joins the command that caused it.
const natsUrl = inject('natsUrl');
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
type Line = Record<string, unknown> & { level: number; msg: string };

describe.runIf(natsUrl !== null)('integration consumer logs on NATS', () => {
  const deadLetters = testDeadLetters();
  const streams: string[] = [deadLetters.stream];
  let transport: NatsTransport;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    transport = await openNatsTransport({ servers: natsUrl!, deadLetters });
  });
  afterAll(async () => {
    await transport?.close();
    await deleteStreams(natsUrl!, streams);
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  /** A consumer whose handler always fails (2 attempts), fed one event appended in a traced command. */
  const deadLetterOne = async (logger?: DuetLogger) => {
    const source = testStream('orders');
    streams.push(source.name);
    await transport.ensureStreams([source]);
    const contracts = orderContracts(source.service);
    const store = createInMemoryEventStore();
    const consumer = createIntegrationConsumer({
      name: `c_${randomBytes(4).toString('hex')}`,
      transport,
      inbox: createInMemoryInbox(),
      source,
      contracts,
      maxDeliver: 2,
      backoffMs: [10],
      ...(logger ? { logger } : {}),
      handle: async () => {
        throw new Error('payments are down');
      },
    });
    await consumer.start();
    const traceId = await inSpan('PlaceOrder', {}, async (span) => {
      await store.append('order-1', [OrderPlaced.create({ customer: 'ada', totalCents: 5 })]);
      return span.spanContext().traceId;
    });
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    await createRelay({ contracts, transport, store }).publish(events, {
      signal: new AbortController().signal,
    });
    while ((await consumer.deadLetters()).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await consumer.stop();
    return { traceId, event: events[0]!, subject: `${source.service}.OrderPlaced`, consumer };
  };

  it('given a pino logger, when a handler keeps failing, then a warn line per redelivery and an error line for the dead letter carry the producer’s trace_id', async () => {
    const lines: Line[] = [];
    const logger = pino({}, { write: (line: string) => lines.push(JSON.parse(line)) });
    const { traceId, event, subject, consumer } = await deadLetterOne(
      logger.child({ service: 'history' }),
    );
    const fields = {
      service: 'history',
      consumer: consumer.name,
      subject,
      message_id: event.id,
      maxDeliver: 2,
      error: 'payments are down',
      trace_id: traceId,
    };
    expect(lines.filter((line) => line.level >= 40)).toMatchObject([
      { level: 40, msg: 'delivery failed, will be redelivered', attempt: 1, ...fields },
      { level: 50, msg: 'message dead-lettered', attempt: 2, ...fields },
    ]);
    // The span is the relay's `send`, the producer side of the message.
    const send = exporter.getFinishedSpans().find((span) => span.name === `send ${subject}`);
    expect(lines.at(-1)?.span_id).toBe(send?.spanContext().spanId);
  });

  it('given no logger, when a message is dead-lettered, then nothing is written and nothing throws', async () => {
    const writes = [
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(process.stderr, 'write'),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        vi.spyOn(console, level),
      ),
    ];
    try {
      const { consumer } = await deadLetterOne();
      expect(await consumer.deadLetters()).toHaveLength(1);
      for (const write of writes) expect(write).not.toHaveBeenCalled();
    } finally {
      for (const write of writes) write.mockRestore();
    }
  });
});
