// Shared by the S7 schema-drift tests (schema-drift*.int.test.ts): a log written partly
// through a store with the strict registry and partly without it, so undecodable payloads
// and unknown types get in; a runner that reads it under that registry; and the checks that
// a stop or a dead letter names the drifted event.
import type { EventRegistry, ProcessorDefinition, RecordedEvent } from '@duet/core';
import { expect } from 'vitest';
import {
  createPostgresEventStore,
  type PostgresEventStore,
} from '../src/event-store/postgres-event-store.ts';
import type { Processors } from '../src/processors/open-processors.ts';
import { type RunnerFixture, waitForStatus } from './processor-runner.ts';

/**
 * Lets `write` append through `typed` (with `registry`) and `raw` (without), then reads the
 * log back; returns a lookup of each stream's first event.
 */
export async function writeDriftedLog(
  fx: RunnerFixture,
  registry: EventRegistry,
  write: (typed: PostgresEventStore, raw: PostgresEventStore) => Promise<void>,
): Promise<(stream: string) => RecordedEvent> {
  const typed = createPostgresEventStore({
    executor: fx.executor,
    schema: fx.db.schema,
    events: registry,
  });
  const raw = fx.store; // no registry: stores anything, at schema version 1
  try {
    await write(typed, raw);
  } finally {
    await typed.close();
  }
  const events: RecordedEvent[] = [];
  for await (const event of fx.store.readAll()) events.push(event);
  return (stream) => events.find((e) => e.stream === stream)!;
}

/** A runner whose store reads under the strict `registry`, 16 events a batch. */
export function openDriftRunner(
  fx: RunnerFixture,
  registry: EventRegistry,
  processors: ProcessorDefinition[],
): Processors {
  return fx.runner(processors, {
    store: { executor: fx.executor, schema: fx.db.schema, events: registry },
    batchSize: { min: 16, max: 16 },
  });
}

/**
 * Waits for `name` to stop at `event` and checks that its error names the event, its
 * message going on with `message`; returns the status row.
 */
export async function waitForStopAt(
  runner: Processors,
  name: string,
  event: RecordedEvent,
  message = '',
) {
  const [status] = await waitForStatus(
    runner,
    (s) => s.state === 'failed' && s.error?.eventId === event.id,
    20_000,
    name,
  );
  expect(status?.error).toMatchObject({ stream: event.stream, type: event.type });
  expect(status?.error?.message).toContain(
    `event ${event.id} (${event.type} v1 in ${event.stream}${message}`,
  );
  return status!;
}

/** Repairs the drifted `event` in the log, as an operator would: its payload becomes valid. */
export async function repairPayload(fx: RunnerFixture, event: RecordedEvent): Promise<void> {
  await fx.executor.query(
    `UPDATE "${fx.db.schema}".events SET data = '{"amount": 4}'::jsonb WHERE id = $1::uuid`,
    [event.id],
  );
}

/** `name`'s dead letters as the tests compare them. */
export async function deadLettersOf(runner: Processors, name: string) {
  return (await runner.deadLetters.list(name)).map((l) => ({
    id: l.event.id,
    parked: l.parked,
    error: l.error,
  }));
}

/** The dead letter expected for `event`: its error names the event and matches `error`. */
export function expectedLetter(event: RecordedEvent, parked: boolean, error: string) {
  return {
    id: event.id,
    parked,
    error: expect.stringMatching(
      new RegExp(`^event ${event.id} \\(${event.type} v1 in ${event.stream}.*${error}`),
    ),
  };
}
