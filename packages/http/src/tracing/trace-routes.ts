import { inSpan } from '@duet/core';
import { propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { FastifyInstance, RouteHandlerMethod, RouteOptions } from 'fastify';

/**
 * A SERVER span around every route registered after this (HTTP semantic conventions),
 * continuing the caller's `traceparent`: the command's span and its append are children,
 * so one request is one trace, and the request's log lines carry `trace_id` and `span_id`.
 * Health checks are left out: probes every few seconds
 * would bury the traces that matter.
 *
 * @example
 * traceRoutes(app); // then register the routes
 */
export function traceRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url.startsWith('/health')) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = async function traced(request, reply) {
      return inSpan(
        `${request.method} ${route.url}`,
        {
          kind: SpanKind.SERVER,
          parent: propagation.extract(ROOT_CONTEXT, request.headers),
          attributes: {
            'http.request.method': request.method,
            'http.route': route.url,
            'url.path': request.url.split('?')[0] ?? request.url,
          },
        },
        async (span) => {
          if (span.isRecording()) {
            // Every line logged for this request from here on, "request completed"
            // included, names the trace: logs and traces join on trace_id.
            const { traceId, spanId } = span.spanContext();
            request.log = request.log.child({ trace_id: traceId, span_id: spanId });
            reply.log = request.log;
          }
          const result = await handler.call(this, request, reply);
          span.setAttribute('http.response.status_code', reply.statusCode);
          return result;
        },
      );
    };
  });
}
