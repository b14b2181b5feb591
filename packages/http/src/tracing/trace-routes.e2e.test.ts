import { Writable } from 'node:stream';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CartServer, postJson, startCartServer } from '../../test-support/cart-server.ts';
import { apiKeyAuthentication } from '../auth/api-key-authentication.ts';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const lines: Record<string, unknown>[] = [];
const logs = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
    done();
  },
});

async function lineWhere(
  match: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (;;) {
    const line = lines.find(match);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let server: CartServer;
beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  server = await startCartServer(
    {
      authenticate: apiKeyAuthentication({
        keys: { 'shopper-key': { id: 'sam', roles: ['shopper'] } },
      }),
    },
    { level: 'info', stream: logs },
  );
});
afterAll(async () => {
  await server.close();
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

// The caller's trace: a client span somewhere upstream.
const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpan = '00f067aa0ba902b7';

describe('HTTP tracing', () => {
  it("given a traceparent header, when a command is sent, then a SERVER span continues the caller's trace, the command span is its child, and the request's log lines carry its ids", async () => {
    exporter.reset();
    const response = await postJson(
      `${server.url}/commands/OpenCart`,
      { cartId: 'traced' },
      { 'x-api-key': 'shopper-key', traceparent: `00-${callerTrace}-${callerSpan}-01` },
    );
    expect(response.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === 'POST /commands/OpenCart');
    expect(request?.kind).toBe(SpanKind.SERVER);
    expect(request?.spanContext().traceId).toBe(callerTrace);
    expect(request?.parentSpanContext?.spanId).toBe(callerSpan);
    expect(request?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/commands/OpenCart',
      'http.response.status_code': 200,
    });
    const command = spans.find((span) => span.name === 'duet.command OpenCart');
    expect(command?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);

    // Logged on Fastify's onResponse, which may run after the client has the reply.
    const completed = await lineWhere(
      (line) => line.msg === 'request completed' && line.trace_id === callerTrace,
    );
    expect(completed).toMatchObject({ span_id: request?.spanContext().spanId });
  });

  it('given a health probe, when it is answered, then no span is recorded', async () => {
    exporter.reset();
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
