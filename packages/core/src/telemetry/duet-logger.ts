import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { ValidationError } from '../errors/validation-error.ts';

/**
 * Where Duet's packages write their log lines: pino's shape, so a pino logger (or a
 * child of one) is passed as it is. Each call gets the fields first, then the message.
 *
 * @example
 * openProcessors({ store, processors, logger: pino().child({ service: 'orders' }) });
 */
export interface DuetLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const levels = ['debug', 'info', 'warn', 'error'] as const;

const silent: DuetLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The logger the packages write through: `logger` with `trace_id` and `span_id` of the
 * active span added to every line (the names `@duet/http` gives request lines, so logs
 * and traces join on them), or a silent one when none is given. A line about an event
 * or message written outside a span runs in that event's trace context
 * (`context.with(contextOfTraceFields(event.metadata), ...)`) and names its trace too.
 * Throws `ValidationError` naming `option` when `logger` lacks a level.
 *
 * @example
 * const log = tracedLogger(options.logger, 'consumer option logger');
 * log.warn({ consumer: name, attempt }, 'delivery failed, will be redelivered');
 */
export function tracedLogger(logger: unknown, option: string): DuetLogger {
  if (logger === undefined) return silent;
  const target = logger as Partial<Record<(typeof levels)[number], unknown>> | null;
  const missing = levels.filter((level) => typeof target?.[level] !== 'function');
  if (missing.length > 0) {
    throw new ValidationError(option, [
      { path: [], message: `expected a pino-shaped logger, missing ${missing.join(', ')}` },
    ]);
  }
  const given = logger as DuetLogger;
  const write =
    (level: (typeof levels)[number]) =>
    (fields: object, message?: string): void => {
      const span = trace.getSpanContext(context.active());
      const traced =
        span && isSpanContextValid(span)
          ? { ...fields, trace_id: span.traceId, span_id: span.spanId }
          : fields;
      // A logger that throws must not turn a logged failure into another one.
      try {
        given[level](traced, message);
      } catch {}
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
