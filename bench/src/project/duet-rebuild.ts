import {
  createPgExecutor,
  createPostgresEventStore,
  migrate,
  openProcessors,
} from '@duet/postgres';
import { peakRssSinceResetMb, resetPeakRss } from '../measure/peak-rss.ts';
import { openCpuWindow } from './cpu-window.ts';
import type { ProjectJob, ProjectResult } from './project-config.ts';
import { seedEvents } from './seed-events.ts';
import { checkSummary, duetFoldSql } from './summary-check.ts';
import { summaryProjection, summaryTable } from './summary-projection.ts';

/** The runner's settings: Duet's defaults, stated here so the docs can quote them. */
export const DUET_RUNNER_SETTINGS =
  'openProcessors defaults: batchSize { min: 100, max: 5000 } adaptive, targetBatchMs 250; createPgExecutor pool of 10';

/**
 * Seeds Duet's store in `job.schema` (group commit on, its defaults), then rebuilds the
 * per-stream summary from the first event with a fresh projection runner, timed from
 * `start()` to the batch that reaches the head. Checks the read model against the fold.
 */
export async function runDuetRebuild(job: ProjectJob): Promise<ProjectResult> {
  const executor = createPgExecutor({ connectionString: job.databaseUrl });
  try {
    await migrate(executor, { schema: job.schema });
    const store = createPostgresEventStore({ executor, schema: job.schema });
    const seedStarted = performance.now();
    const events = await seedEvents(job.plan, async (stream, batch, version) => {
      await store.append(stream, batch, { expectedVersion: version === 0 ? 'no_stream' : version });
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const head = await store.headPosition();
    await store.close();
    process.stderr.write(`  duet: seeded ${events} events in ${seedSeconds.toFixed(1)} s\n`);

    const readModelSchema = `${job.schema}_rm`;
    await migrate(executor, { schema: `${job.schema}_runner`, set: 'processors' });
    let batches = 0;
    let maxBatchSize = 0;
    let reachedHead: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      reachedHead = resolve;
    });
    const runner = openProcessors({
      store: { executor, schema: job.schema },
      schema: `${job.schema}_runner`,
      readModelSchema,
      projections: [summaryProjection],
      onBatch: (batch) => {
        batches += 1;
        maxBatchSize = Math.max(maxBatchSize, batch.batchSize);
        if (batch.position >= head) reachedHead();
      },
    });
    const cpu = await openCpuWindow(job.databaseUrl);
    // The rebuild's own peak, apart from the seeding's (which held the events it wrote).
    resetPeakRss();
    const started = performance.now();
    await runner.start();
    await done;
    const seconds = (performance.now() - started) / 1000;
    const rebuildPeakRssMb = peakRssSinceResetMb();
    const breakdown = await cpu.close();
    await runner.stop();
    const check = await checkSummary(
      job.databaseUrl,
      summaryTable(readModelSchema),
      duetFoldSql(job.schema),
    );
    return {
      workload: 'project',
      system: 'duet',
      events,
      events_per_sec: Math.round(events / seconds),
      seconds: round(seconds),
      seeded_by_writers: job.plan.writers,
      streams: job.plan.streams,
      ...check,
      seed_seconds: round(seedSeconds),
      batches,
      max_batch_size: maxBatchSize,
      ...(rebuildPeakRssMb === null ? {} : { rebuild_peak_rss_mb: rebuildPeakRssMb }),
      ...(breakdown ?? {}),
      settings: DUET_RUNNER_SETTINGS,
    };
  } finally {
    await executor.close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
