import { runInTenant } from '@duet/core';
import {
  createPgExecutor,
  createPostgresEventStore,
  isolateTenants,
  migrate,
  type SqlExecutor,
} from '@duet/postgres';
import { type AppendShape, STREAMS_PER_WRITER, shapeLabel } from '../append/append-shape.ts';
import { type BackendMonitor, openBackendMonitor } from '../append/backend-monitor.ts';
import { benchEvents } from '../append/bench-event.ts';
import { countingExecutor, type ExecutorCounts } from '../append/counting-executor.ts';
import { type LoopFigures, measureClosedLoops } from './measure-closed-loops.ts';
import type { ExecutorKind, TenancyJob, TenancyResult } from './tenancy-config.ts';
import { attempt, type LineLabel, tenancyLine } from './tenancy-line.ts';
import { tenantName } from './tenant-name.ts';

/** One executor and schema the shapes run on. */
interface Variant {
  readonly executor: SqlExecutor;
  readonly counts: ExecutorCounts;
  readonly kind: ExecutorKind;
  readonly tenants: number;
  readonly round: number;
  readonly schema: string;
}

/** The stream the read shapes read, and its length. */
const READ_STREAM = 'read-1000';
const READ_EVENTS = 1000;

/**
 * Duet's append shapes, then a 1,000-event `readStream` and `streamInfo`, on the plain
 * executor (`createPgExecutor`, pool of 10) and on `isolateTenants` over another pool of 10
 * in the same database, in this one process: plain, isolated with each tenant count, plain
 * again (the plain rounds bracket the isolated ones, so a change of load shows as a gap
 * between them). A schema of its own per executor and tenant count. Each writer runs in
 * `runInTenant` of tenant `t<writer mod N>`.
 */
export async function runDuetTenancy(
  job: Extract<TenancyJob, { kind: 'tenancy' }>,
  report: (result: TenancyResult) => Promise<void>,
): Promise<void> {
  const plain = countingExecutor(createPgExecutor({ connectionString: job.databaseUrl }));
  // Counted underneath the wrapper: its BEGIN, set_config and COMMIT count as round trips.
  const base = countingExecutor(createPgExecutor({ connectionString: job.databaseUrl }));
  const isolated = isolateTenants(base.executor);
  const plainRound = (round: number): Variant => ({
    ...plain,
    kind: 'plain',
    tenants: 0,
    round,
    schema: `plain_r${round}`,
  });
  const variants: Variant[] = [
    plainRound(1),
    ...job.tenants.map(
      (tenants): Variant => ({
        executor: isolated,
        counts: base.counts,
        kind: 'isolated',
        tenants,
        round: 1,
        schema: `isolated_t${tenants}`,
      }),
    ),
    plainRound(2),
  ];
  for (const variant of variants) {
    // Migrations run as the owner, on the executor underneath (docs/tenants.md).
    await migrate(variant.kind === 'plain' ? plain.executor : base.executor, {
      schema: variant.schema,
    });
  }
  const monitor = await openBackendMonitor(job.databaseUrl);
  try {
    for (const shape of job.shapes) {
      for (const variant of variants) {
        const figures = await attempt(() => appendShape(job, variant, shape, monitor));
        await report(tenancyLine(label('append-tenancy', shapeLabel(shape), variant), figures));
      }
    }
    // A single-stream read does not depend on how many tenants share the table: one
    // isolated run (the first tenant count) between the plain rounds.
    const readVariants = variants.filter(
      (variant) => variant.kind === 'plain' || variant === variants[1],
    );
    for (const variant of readVariants) await seedReadStream(variant);
    for (const read of ['readStream', 'streamInfo'] as const) {
      for (const variant of readVariants) {
        const figures = await attempt(() => readShape(job, variant, read, monitor));
        const shape = read === 'readStream' ? `readStream-${READ_EVENTS}` : read;
        await report(tenancyLine(label('read-tenancy', shape, variant), figures));
      }
    }
  } finally {
    await monitor.close();
    await plain.executor.close();
    await base.executor.close();
  }
}

async function appendShape(
  job: Extract<TenancyJob, { kind: 'tenancy' }>,
  variant: Variant,
  shape: AppendShape,
  monitor: BackendMonitor,
): Promise<LoopFigures> {
  const store = createPostgresEventStore({ executor: variant.executor, schema: variant.schema });
  const prefix = `bench-${shapeLabel(shape)}`;
  const versions = new Int32Array(shape.writers * STREAMS_PER_WRITER);
  try {
    return await measureClosedLoops({
      loops: shape.writers,
      warmupMs: job.warmupMs,
      measureMs: job.measureMs,
      monitor,
      counts: variant.counts,
      step: async (writer, call) => {
        const slot = call % STREAMS_PER_WRITER;
        const index = writer * STREAMS_PER_WRITER + slot;
        const version = versions[index] ?? 0;
        const append = () =>
          store.append(
            `${prefix}w${writer}s${slot}`,
            benchEvents(writer, slot, version, shape.batch),
            { expectedVersion: version === 0 ? 'no_stream' : version },
          );
        await inScope(variant, writer, append);
        versions[index] = version + shape.batch;
        return shape.batch;
      },
    });
  } finally {
    await store.close();
  }
}

async function seedReadStream(variant: Variant): Promise<void> {
  const store = createPostgresEventStore({ executor: variant.executor, schema: variant.schema });
  try {
    for (let version = 0; version < READ_EVENTS; version += 100) {
      await inScope(variant, 0, () =>
        store.append(READ_STREAM, benchEvents(0, 0, version, 100), {
          expectedVersion: version === 0 ? 'no_stream' : version,
        }),
      );
    }
  } finally {
    await store.close();
  }
}

/** One reader, closed loop: the whole stream (pages of the default 500), or its info. */
async function readShape(
  job: Extract<TenancyJob, { kind: 'tenancy' }>,
  variant: Variant,
  read: 'readStream' | 'streamInfo',
  monitor: BackendMonitor,
): Promise<LoopFigures> {
  const store = createPostgresEventStore({ executor: variant.executor, schema: variant.schema });
  try {
    return await measureClosedLoops({
      loops: 1,
      warmupMs: job.warmupMs,
      measureMs: job.measureMs,
      monitor,
      counts: variant.counts,
      step: () =>
        inScope(variant, 0, async () => {
          if (read === 'streamInfo') {
            const info = await store.streamInfo(READ_STREAM);
            if (info?.version !== READ_EVENTS) throw new Error('streamInfo: wrong version');
            return 1;
          }
          let events = 0;
          for await (const _event of store.readStream(READ_STREAM)) events += 1;
          if (events !== READ_EVENTS) throw new Error(`readStream: ${events} events`);
          return events;
        }),
    });
  } finally {
    await store.close();
  }
}

/** Runs `fn` as the writer's tenant on the isolated executor, as is on the plain one. */
function inScope<T>(variant: Variant, writer: number, fn: () => Promise<T>): Promise<T> {
  return variant.kind === 'plain' ? fn() : runInTenant(tenantName(writer, variant.tenants), fn);
}

function label(workload: LineLabel['workload'], shape: string, variant: Variant): LineLabel {
  return {
    workload,
    shape,
    system: 'duet',
    executor: variant.kind,
    tenants: variant.tenants,
    round: variant.round,
  };
}
