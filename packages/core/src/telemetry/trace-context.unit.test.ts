import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createInMemoryEventStore } from '../index.ts';
import { inSpan } from './in-span.ts';
import { contextOfTraceFields, traceFieldsOf } from './trace-context.ts';

function registerSdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return exporter;
}

const firstEvent = async (store: ReturnType<typeof createInMemoryEventStore>, stream: string) => {
  for await (const event of store.readStream(stream)) return event;
  throw new Error(`no events in ${stream}`);
};

describe('trace context in event metadata', () => {
  afterEach(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('given no OpenTelemetry SDK, when an event is appended in a span, then its metadata carries no trace fields', async () => {
    const store = createInMemoryEventStore();
    await inSpan('work', {}, () => store.append('a-1', [{ type: 'Happened', data: {} }]));
    const event = await firstEvent(store, 'a-1');
    expect(event.metadata.traceparent).toBeUndefined();
    expect(traceFieldsOf()).toEqual({});
  });

  it('given an SDK, when an event is appended in a span, then its traceparent names that span, and a reader continues it', async () => {
    const exporter = registerSdk();
    const store = createInMemoryEventStore();
    await inSpan('work', {}, () => store.append('a-2', [{ type: 'Happened', data: {} }]));
    const [work] = exporter.getFinishedSpans();
    const event = await firstEvent(store, 'a-2');
    const { traceId, spanId } = work!.spanContext();
    expect(event.metadata.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(trace.getSpanContext(contextOfTraceFields(event.metadata))).toMatchObject({
      traceId,
      spanId,
    });
  });

  it('given an SDK, when an event brings its own traceparent, then it is kept', async () => {
    registerSdk();
    const store = createInMemoryEventStore();
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await inSpan('work', {}, () =>
      store.append('a-3', [{ type: 'Happened', data: {}, metadata: { traceparent: own } }]),
    );
    expect((await firstEvent(store, 'a-3')).metadata.traceparent).toBe(own);
  });

  it('given metadata without a traceparent, or with one that is not text, then the context is the root', () => {
    registerSdk();
    expect(trace.getSpanContext(contextOfTraceFields({}))).toBeUndefined();
    expect(trace.getSpanContext(contextOfTraceFields({ traceparent: 42 }))).toBeUndefined();
    expect(trace.getSpanContext(contextOfTraceFields(undefined))).toBeUndefined();
  });
});
