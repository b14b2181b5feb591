import {
  type Attributes,
  type Context,
  context,
  type Link,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

// One tracer for every Duet package, a no-op without an SDK (tracing off costs a few
// object allocations per span). Looked up again when the global provider changes: a
// tracer from a provider that `trace.disable()` dropped would never record again.
let cached: { provider: TracerProvider; tracer: Tracer } | undefined;
function duetTracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer('duet') };
  return cached.tracer;
}

/** What `inSpan` takes besides the name. */
export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  readonly links?: readonly Link[];
  /** The parent (default the active context). */
  readonly parent?: Context;
}

/**
 * Runs `fn` in a new active span: everything it starts (a command, an append, a publish)
 * is a child. An error is recorded on the span, which ends with status error, and thrown
 * on.
 *
 * @example
 * const result = await inSpan(`duet.command ${type}`, { attributes }, () => execute());
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = duetTracer().startSpan(
    name,
    {
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links ? { links: [...options.links] } : {}),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}

/** Starts a span that the caller ends (one per message of a batch publish, say). */
export function startSpan(name: string, options: SpanOptions): Span {
  return duetTracer().startSpan(
    name,
    {
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links ? { links: [...options.links] } : {}),
    },
    options.parent ?? context.active(),
  );
}

/**
 * The links of a batch to the traces of its items, and the parent to give it: the first
 * item's trace, so one command's trace reaches its projection batch (its other items are
 * links: a batch has one parent). At most `max` links.
 *
 * @example
 * const { parent, links } = batchTraceOf(events.map((e) => contextOfTraceFields(e.metadata)));
 */
export function batchTraceOf(
  contexts: readonly Context[],
  max = 32,
): { parent: Context | undefined; links: Link[] } {
  const links: Link[] = [];
  const seen = new Set<string>();
  let parent: Context | undefined;
  for (const item of contexts) {
    const span = trace.getSpanContext(item);
    if (!span || seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    if (parent === undefined) parent = item;
    else if (links.length < max) links.push({ context: span });
  }
  return { parent, links };
}
