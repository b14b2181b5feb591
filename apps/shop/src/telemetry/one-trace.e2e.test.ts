import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, sendCommand } from '../../test-support/shop-client.ts';
import { type ShopInProcess, startShopInProcess } from '../../test-support/shop-in-process.ts';

// Issue 12: one command through HTTP is one trace, from the request across the services.
// The SDK is set up here as an app would (Duet's packages use only @opentelemetry/api),
// with the in-memory exporter; the whole shop runs in this process on PGlite.
const exporter = new InMemorySpanExporter();
// #region register-sdk
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
function registerTracing() {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}
// #endregion register-sdk

let running: ShopInProcess;
let url: string;

beforeAll(async () => {
  registerTracing();
  running = await startShopInProcess();
  url = running.url;
}, 120_000);

afterAll(async () => {
  await running?.close();
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

/** Resolves with the trace's spans once `done` holds for them (the test's timeout bounds it). */
async function traceUntil(
  traceId: string,
  done: (spans: readonly ReadableSpan[]) => boolean,
): Promise<readonly ReadableSpan[]> {
  for (;;) {
    const spans = exporter
      .getFinishedSpans()
      .filter((span) => span.spanContext().traceId === traceId);
    if (done(spans)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const named = (spans: readonly ReadableSpan[], name: string) =>
  spans.filter((span) => span.name === name);

describe('tracing', () => {
  it('given a cart, when PlaceOrder is sent over HTTP, then one trace covers the request, the command, the append, a projection batch, the relay publish and the order history consuming it', async () => {
    const orderId = 'traced-1';
    await sendCommand(url, 'AddItem', { orderId, sku: 'tea', quantity: 1 }, as('demo-ada'));
    exporter.reset();

    await sendCommand(url, 'PlaceOrder', { orderId }, as('demo-ada'));

    const [request] = named(exporter.getFinishedSpans(), 'POST /commands/PlaceOrder');
    expect(request?.kind).toBe(SpanKind.SERVER);
    const traceId = request!.spanContext().traceId;
    const spans = await traceUntil(
      traceId,
      (found) =>
        found.some(
          (span) =>
            span.name === 'process orders.OrderPlaced' &&
            String(span.attributes['messaging.consumer.group.name']).includes('history'),
        ) && found.some((span) => span.name.startsWith('duet.projection batch')),
    );
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: ReadableSpan | undefined) =>
      span?.parentSpanContext ? byId.get(span.parentSpanContext.spanId) : undefined;

    // The request → the command → its append, each the child of the one before.
    const [command] = named(spans, 'duet.command PlaceOrder');
    expect(parentOf(command)).toBe(request);
    const append = spans.find((span) => span.name === 'duet.append' && parentOf(span) === command);
    expect(append?.kind).toBe(SpanKind.CLIENT);
    expect(append?.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'duet.stream': `order-${orderId}`,
    });

    // A projection batch of the orders service, in the same trace.
    const batch = spans.find((span) => span.name === 'duet.projection batch order_detail');
    expect(batch?.attributes).toMatchObject({ 'duet.processor.kind': 'projection' });

    // The relay's publish and the order history's handler, which continues it.
    const [send] = named(spans, 'send orders.OrderPlaced');
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    const consumed = spans.find(
      (span) =>
        span.name === 'process orders.OrderPlaced' &&
        String(span.attributes['messaging.consumer.group.name']).includes('history'),
    );
    expect(consumed?.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(consumed)).toBe(send);
    expect(spans.every((span) => span.spanContext().traceId === traceId)).toBe(true);
  }, 120_000);
});
