import type { Event } from '@event-driven-io/emmett';
import {
  getPostgreSQLEventStore,
  postgreSQLProjection,
  rebuildPostgreSQLProjections,
} from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { openCpuWindow } from './cpu-window.ts';
import { ORDER_EVENT_TYPES, type OrderEvent } from './order-events.ts';
import type { ProjectJob, ProjectResult } from './project-config.ts';
import { seedEvents } from './seed-events.ts';
import { checkSummary, emmettFoldSql } from './summary-check.ts';

type EmmettOrderEvent = Event<OrderEvent['type'], OrderEvent['data']>;

/**
 * Emmett's async consumer at the best settings found (STACK.md): 1,000 events per pull
 * and 1 ms between full pulls (its defaults are 100 and 50 ms).
 */
export const EMMETT_PULLING = { batchSize: 1000, pullingFrequencyInMs: 1 } as const;
export const EMMETT_SETTINGS =
  'rebuildPostgreSQLProjections (async consumer, stopWhen noMessagesLeft) with pulling { batchSize: 1000, pullingFrequencyInMs: 1 }; postgreSQLProjection whose handle runs one parameterized upsert per event on the transaction client';

const SUMMARY = 'order_summary';

const UPSERT = `INSERT INTO ${SUMMARY} AS t (stream, events, total, last_version) VALUES ($1, 1, $2, $3)
  ON CONFLICT (stream) DO UPDATE SET events = t.events + 1, total = t.total + excluded.total,
     last_version = greatest(t.last_version, excluded.last_version)`;

/**
 * Seeds Emmett 0.42's store (its own database; schema migrated before, autoMigration
 * off, a pool of up to 10) with the same events, then rebuilds the same summary through
 * its PostgreSQL projection and async consumer (`rebuildPostgreSQLProjections`), timed
 * from `start()` until it stops with no messages left. Emmett's projector hands its
 * projection one event at a time and stores its checkpoint after each, in one
 * transaction per pulled batch; that is its design, not a setting.
 */
export async function runEmmettRebuild(job: ProjectJob): Promise<ProjectResult> {
  const url = job.databaseUrl;
  const setup = getPostgreSQLEventStore(url);
  await setup.schema.migrate();
  await setup.close();

  const pool = new pg.Pool({ connectionString: url, max: Math.min(job.plan.writers, 10) });
  const store = getPostgreSQLEventStore(url, {
    schema: { autoMigration: 'None' },
    connectionOptions: { pool },
  });
  const seedStarted = performance.now();
  const events = await seedEvents(job.plan, async (stream, batch, version) => {
    await store.appendToStream<EmmettOrderEvent>(stream, [...batch], {
      expectedStreamVersion: BigInt(version),
    });
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await store.close();
  await pool.end();
  process.stderr.write(`  emmett: seeded ${events} events in ${seedSeconds.toFixed(1)} s\n`);

  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE TABLE ${SUMMARY} (stream text PRIMARY KEY, events integer NOT NULL,
    total bigint NOT NULL, last_version integer NOT NULL)`);
  await admin.end();

  const projection = postgreSQLProjection<EmmettOrderEvent>({
    name: SUMMARY,
    canHandle: [...ORDER_EVENT_TYPES],
    handle: async (batch, context) => {
      for (const event of batch) {
        await context.connection.client.query(UPSERT, [
          event.metadata.streamName,
          event.data.amount,
          Number(event.metadata.streamPosition),
        ]);
      }
    },
  });
  const consumer = rebuildPostgreSQLProjections<EmmettOrderEvent>({
    connectionString: url,
    projections: [projection],
    pulling: EMMETT_PULLING,
  });
  const cpu = await openCpuWindow(url);
  const started = performance.now();
  await consumer.start();
  const seconds = (performance.now() - started) / 1000;
  const breakdown = await cpu.close();
  await consumer.close();
  const check = await checkSummary(url, SUMMARY, emmettFoldSql);
  return {
    workload: 'project',
    system: 'emmett',
    events,
    events_per_sec: Math.round(events / seconds),
    seconds: Math.round(seconds * 100) / 100,
    seeded_by_writers: job.plan.writers,
    streams: job.plan.streams,
    ...check,
    seed_seconds: Math.round(seedSeconds * 100) / 100,
    ...(breakdown ?? {}),
    settings: EMMETT_SETTINGS,
  };
}
