import { type Context, context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

/** W3C trace context as Duet carries it: in event metadata and in message headers. */
export interface TraceFields {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/**
 * The trace context of `from` (default the active one) as W3C fields, through the
 * registered propagator: empty when no OpenTelemetry SDK is registered, so tracing off
 * writes nothing into events.
 *
 * @example
 * const metadata = { ...traceFieldsOf(), correlationId };
 */
export function traceFieldsOf(from: Context = context.active()): TraceFields {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  const { traceparent, tracestate } = carrier;
  return {
    ...(traceparent === undefined ? {} : { traceparent }),
    ...(tracestate === undefined ? {} : { tracestate }),
  };
}

/**
 * The context that W3C fields (from event metadata or message headers) continue; the root
 * context when they carry none (or hold something that is not a string).
 *
 * @example
 * const parent = contextOfTraceFields(event.metadata);
 */
export function contextOfTraceFields(metadata: object | undefined): Context {
  const fields = metadata as { readonly traceparent?: unknown; readonly tracestate?: unknown };
  const carrier: Record<string, string> = {};
  if (typeof fields?.traceparent === 'string') carrier.traceparent = fields.traceparent;
  if (typeof fields?.tracestate === 'string') carrier.tracestate = fields.tracestate;
  return carrier.traceparent === undefined
    ? ROOT_CONTEXT
    : propagation.extract(ROOT_CONTEXT, carrier);
}
