import { inSpan } from '@duet/core';
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
import {
  accountsProjection,
  backendsFor,
  openRunnerFixture,
  waitForStatus,
} from '../../../test-support/processor-runner.ts';
import { migrate } from '../../migrations/migrate.ts';
import { openProcessors } from '../open-processors.ts';

// Issue 12: the runner's log lines are structured and name the trace of the event they are
// about, so a dead letter's line joins the command that appended the event.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

type Line = Record<string, unknown> & { level: number; msg: string };

/** A pino logger writing JSON lines into an array, as an app would to stdout. */
function memoryLogger() {
  const lines: Line[] = [];
  const memory = { write: (line: string) => lines.push(JSON.parse(line)) };
  return { lines, memory, logger: pino({ level: 'info' }, memory).child({ service: 'accounts' }) };
}

/** Resolves with the first line `match` accepts (the test's timeout bounds the wait). */
async function lineWhere(lines: readonly Line[], match: (line: Line) => boolean): Promise<Line> {
  for (;;) {
    const found = lines.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const POISON = 100;

describe.each(backendsFor(inject('databaseUrl')))('processor logs on $kind', (backend) => {
  it("given a pino logger and an event appended in a traced command, when the projection fails on it under 'skip', then an error line names the processor, the event and the command's trace", async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(5, 2, 1, true);
    const appended = await inSpan('PlaceOrder', {}, async (span) => ({
      result: await fx.store.append('acct-traced', [
        { type: 'Deposited', data: { amount: POISON } },
      ]),
      traceId: span.spanContext().traceId,
    }));
    await fx.deposit(5, 2, 1, true);
    const { lines, memory } = memoryLogger();
    const { store } = fx;
    const accounts = accountsProjection({
      onFailure: 'skip',
      poison: { amount: POISON, active: () => true },
    });
    // #region processors-logger
    const logger = pino({ level: 'info' }, memory); // an app's: pino(), to stdout
    const runner = openProcessors({
      store,
      schema: fx.runnerSchema,
      readModelSchema: fx.readModelSchema,
      processors: [accounts],
      logger: logger.child({ service: 'accounts' }),
    });
    // #endregion processors-logger
    await migrate(fx.executor, { schema: fx.runnerSchema, set: 'processors' });
    await runner.start();

    const deadLetter = await lineWhere(lines, (line) => line.msg === 'event dead-lettered');
    const [letter] = await runner.deadLetters.list('accounts');
    expect(deadLetter).toMatchObject({
      level: 50,
      service: 'accounts',
      processor: 'accounts',
      kind: 'projection',
      version: 1,
      partition: 0,
      policy: 'skip',
      event_id: letter?.event.id,
      event_type: 'Deposited',
      stream: 'acct-traced',
      stream_version: 1,
      position: letter?.event.position,
      error: `poisoned amount ${POISON}`,
      trace_id: appended.traceId,
    });
    expect(deadLetter.span_id).toMatch(/^[0-9a-f]{16}$/);
    // The retries before it, warn: the whole batch's, then, narrowed to the event, its own
    // in its trace (a batch continues its first event's trace).
    const retries = lines.filter((line) => line.msg === 'batch failed, will retry');
    expect(retries.map((line) => [line.events, line.attempt])).toEqual([
      [11, 1],
      [11, 2],
      [1, 1],
      [1, 2],
    ]);
    expect(retries[2]).toMatchObject({
      level: 40,
      processor: 'accounts',
      partition: 0,
      first_event_id: letter?.event.id,
      attempt: 1,
      attempts: 3,
      error: `poisoned amount ${POISON}`,
      trace_id: appended.traceId,
    });
    expect(lines[0]).toMatchObject({ level: 30, msg: 'processor runner started' });
    await runner.stop();
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'processor runner stopped' });
    await runner.close();
  });

  it("given a pino logger, when a partition stops on a poisoned event under 'stop', then an error line says where and why, in the event's trace", async () => {
    await using fx = await openRunnerFixture(backend);
    const traceId = await inSpan('Deposit', {}, async (span) => {
      await fx.store.append('acct-stop', [{ type: 'Deposited', data: { amount: POISON } }]);
      return span.spanContext().traceId;
    });
    const { lines, logger } = memoryLogger();
    const runner = fx.runner(
      [accountsProjection({ poison: { amount: POISON, active: () => true } })],
      { logger },
    );
    await runner.start();
    const stopped = await lineWhere(
      lines,
      (line) => line.msg === 'partition stopped on a poisoned event',
    );
    expect(stopped).toMatchObject({
      level: 50,
      processor: 'accounts',
      partition: 0,
      policy: 'stop',
      stream: 'acct-stop',
      event_type: 'Deposited',
      error: `poisoned amount ${POISON}`,
      trace_id: traceId,
    });
  });

  it('given a pino logger, when a processor is paused, resumed and rebuilt, then info lines say so', async () => {
    await using fx = await openRunnerFixture(backend);
    await fx.deposit(3, 1, 1, true);
    const { lines, logger } = memoryLogger();
    const runner = fx.runner([accountsProjection()], { logger });
    await runner.start();
    await runner.pause('accounts', { by: 'ops' });
    expect(await lineWhere(lines, (line) => line.msg.startsWith('processor paused'))).toMatchObject(
      { level: 30, processor: 'accounts', paused_by: 'ops' },
    );
    await runner.resume('accounts');
    await lineWhere(lines, (line) => line.msg === 'processor resumed');
    await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
    await runner.rebuild('accounts');
    expect(lines.find((line) => line.msg.startsWith('rebuild started'))).toMatchObject({
      level: 30,
      processor: 'accounts',
      version: 1,
    });
    expect(await lineWhere(lines, (line) => line.msg.startsWith('rebuild finished'))).toMatchObject(
      { level: 30, processor: 'accounts', partition: 0, events: 3 },
    );
  });

  it('given no logger, when an event is dead-lettered, then nothing is written and nothing throws', async () => {
    await using fx = await openRunnerFixture(backend);
    await inSpan('Deposit', {}, () =>
      fx.store.append('acct-quiet', [{ type: 'Deposited', data: { amount: POISON } }]),
    );
    const writes = [
      vi.spyOn(process.stdout, 'write'),
      vi.spyOn(process.stderr, 'write'),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        vi.spyOn(console, level),
      ),
    ];
    try {
      const runner = fx.runner([
        accountsProjection({ onFailure: 'skip', poison: { amount: POISON, active: () => true } }),
      ]);
      await runner.start();
      await waitForStatus(runner, (s) => s.state === 'live' && s.lagEvents === 0);
      expect(await runner.deadLetters.list('accounts')).toHaveLength(1);
      await runner.stop();
      for (const write of writes) expect(write).not.toHaveBeenCalled();
    } finally {
      for (const write of writes) write.mockRestore();
    }
  });

  it('given something that is not a logger, when the processors are opened, then a ValidationError names the option', async () => {
    await using fx = await openRunnerFixture(backend);
    expect(() => fx.runner([accountsProjection()], { logger: { info() {} } as never })).toThrow(
      /option logger.*missing debug, warn, error/,
    );
  });
});
