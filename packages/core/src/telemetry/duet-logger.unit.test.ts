import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.ts';
import { tracedLogger } from './duet-logger.ts';
import { inSpan } from './in-span.ts';

function collectingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message?: string | undefined }[] =
    [];
  const at = (level: string) => (fields: object, message?: string) =>
    lines.push({ level, fields: fields as Record<string, unknown>, message });
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('tracedLogger', () => {
  afterEach(() => {
    trace.disable();
    context.disable();
  });

  it('given no logger, when lines are written, then nothing happens and nothing throws', () => {
    const log = tracedLogger(undefined, 'option logger');
    expect(() => log.error({ a: 1 }, 'x')).not.toThrow();
  });

  it('given an SDK, when a line is written inside a span, then it carries that span’s trace_id and span_id', async () => {
    const exporter = new InMemorySpanExporter();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    const { lines, logger } = collectingLogger();
    const log = tracedLogger(logger, 'option logger');
    await inSpan('work', {}, async () => log.warn({ processor: 'p' }, 'batch failed'));
    log.info({ outside: true }, 'no span');
    const { traceId, spanId } = exporter.getFinishedSpans()[0]!.spanContext();
    expect(lines).toEqual([
      {
        level: 'warn',
        fields: { processor: 'p', trace_id: traceId, span_id: spanId },
        message: 'batch failed',
      },
      { level: 'info', fields: { outside: true }, message: 'no span' },
    ]);
  });

  it('given no SDK, when a line is written inside a span, then it carries no ids', async () => {
    const { lines, logger } = collectingLogger();
    const log = tracedLogger(logger, 'option logger');
    await inSpan('work', {}, async () => log.info({ a: 1 }, 'x'));
    expect(lines[0]?.fields).toEqual({ a: 1 });
  });

  it('given something that is not a logger, then a ValidationError names the option and the missing levels', () => {
    expect(() => tracedLogger({ info() {} }, 'option logger')).toThrow(ValidationError);
    expect(() => tracedLogger(console.log, 'option logger')).toThrow(
      /missing debug, info, warn, error/,
    );
  });

  it('given a logger that throws, when a line is written, then the caller goes on', () => {
    const boom = () => {
      throw new Error('disk full');
    };
    const log = tracedLogger({ debug: boom, info: boom, warn: boom, error: boom }, 'option logger');
    expect(() => log.error({}, 'x')).not.toThrow();
  });
});
