import { DuetError, type Position, type ProcessorDefinition, START_POSITION } from '@duet/core';
import { checkMigrated } from '../../migrations/check-migrated.ts';
import { projectionTables } from '../../read-models/projection-tables.ts';
import { createDeadLetters } from '../dead-letters/create-dead-letters.ts';
import { createPartitionLeases, type PartitionLeases } from '../leases/partition-leases.ts';
import type { ProcessorRunner } from '../processor-types.ts';
import { positionBefore, resetProjection } from '../rebuild/reset-processor.ts';
import { type PendingRebuild, serveRebuildRequests } from '../rebuild/serve-rebuild-requests.ts';
import { readStatus } from '../status/read-status.ts';
import { createStatusHeartbeat } from '../status/status-heartbeat.ts';
import { controlChannel } from '../tables/notify-channels.ts';
import { readActiveVersion, readPauses } from '../tables/registry-table.ts';
import { dropOldVersions } from '../versions/drop-old-versions.ts';
import { registerProjection } from '../versions/register-processor.ts';
import { switchVersion } from '../versions/switch-version.ts';
import { type PartitionWorker, startPartitionWorker } from './partition-worker.ts';
import { processorPageReader } from './read-event-page.ts';
import type { RunnerConfig } from './resolve-runner-options.ts';

interface Unit {
  readonly key: string;
  readonly processor: ProcessorDefinition;
  readonly partition: number;
}

/**
 * The runner inside `openProcessors`: catch-up in adaptive batches, then live on the
 * store's NOTIFY; each batch and its checkpoint in one transaction of the read-model
 * database; blue-green versions; partitions leased through advisory locks; retry,
 * narrowing and failure policies; a status heartbeat; and the rebuild requests of other
 * processes, served for the processors it works.
 */
export function createProcessorRunner(config: RunnerConfig): ProcessorRunner {
  const { readModels, schema, readModelSchema } = config;
  const wake = config.pages.commits;
  const deadLetters = createDeadLetters(
    readModels,
    schema,
    readModelSchema,
    config.processors,
    config.registry,
    config.openPersonalData,
  );
  const workers = new Map<string, PartitionWorker>();
  const activeVersions = new Map<string, number>();
  const dropTimers = new Set<NodeJS.Timeout>();
  let units: Unit[] = [];
  let leases: PartitionLeases | null = null;
  let statusTimer: NodeJS.Timeout | undefined;
  const heartbeat = createStatusHeartbeat({
    readModels,
    schema,
    owner: config.owner,
    intervalMs: config.statusIntervalMs,
    workers: () => workers.values(),
  });
  const requests = serveRebuildRequests({
    readModels,
    schema,
    owner: config.owner,
    names: () => workedActiveNames(),
    perform: (request) => serveRebuild(request),
  });
  let running = false;
  let starting: Promise<void> | null = null;
  // Names an operator paused (from any process): read on the control NOTIFY and every
  // status interval; their workers finish the batch in flight and wait.
  let paused = new Set<string>();
  let unlistenControl: (() => Promise<void>) | null = null;
  const { log } = config;
  const names = new Set(config.processors.map((p) => p.name));
  const refreshPauses = async () => {
    const rows = await readPauses(readModels, schema);
    const now = new Set(rows.map((row) => row.name));
    const changed = new Set([...now, ...paused].filter((n) => now.has(n) !== paused.has(n)));
    paused = now;
    for (const name of changed) {
      if (!names.has(name)) continue;
      const row = rows.find((r) => r.name === name);
      if (row) {
        log.info(
          { processor: name, runner: config.owner, paused_by: row.paused_by ?? undefined },
          'processor paused: its partitions here finish their batch and wait',
        );
      } else log.info({ processor: name, runner: config.owner }, 'processor resumed');
    }
    for (const worker of workers.values()) {
      if (changed.has(worker.processor.name)) worker.nudge();
    }
  };
  const checkPauses = () => void refreshPauses().catch(() => {}); // the next interval retries

  const unitKey = (projection: ProcessorDefinition, partition: number) =>
    `duet.projection.${schema}.${projection.name}.${projection.version}.${partition}`;

  // One line per lease won or given back: with the runner's id and the logger's time, a
  // log shows who owned each partition when (the failover test checks no two at once).
  // "released" is logged once the worker has stopped and before the lock is unlocked.
  const logLease = (unit: Unit, message: string, reason?: string) =>
    log.info(
      {
        processor: unit.processor.name,
        version: unit.processor.version,
        partition: unit.partition,
        runner: config.owner,
        ...(reason === undefined ? {} : { reason }),
      },
      message,
    );
  const giveBack = async (unit: Unit, reason: string) => {
    if (!leases?.held().has(unit.key)) return;
    logLease(unit, 'partition released', reason);
    await leases.give(unit.key);
  };

  const scheduleDrop = (name: string) => {
    const timer = setTimeout(() => {
      dropTimers.delete(timer);
      dropOldVersions(readModels, schema, readModelSchema, name).catch(() => {});
    }, config.dropDelayMs);
    dropTimers.add(timer);
  };

  const trySwitch = async (projection: ProcessorDefinition) => {
    const { name, version } = projection;
    if ((activeVersions.get(name) ?? 0) >= version) return;
    const catchUp = {
      reader: processorPageReader(config.pages, projection, 0, config.registry),
      tables: projectionTables(readModelSchema, name, version),
    };
    if (!(await switchVersion(readModels, schema, projection, catchUp))) return;
    activeVersions.set(name, version);
    // The old version's workers would stop at their next batch anyway; stop them now.
    for (const unit of units.filter(
      (u) => u.processor.name === name && u.processor.version < version,
    )) {
      await stopWorker(unit.key);
      await giveBack(unit, 'superseded');
    }
    units = units.filter((u) => u.processor.name !== name || u.processor.version >= version);
    scheduleDrop(name);
  };

  // Partitions replaying after a rebuild, with when it started: their catch-up is logged.
  const rebuilding = new Map<string, number>();
  const rebuildCaughtUp = (unit: Unit, worker: () => PartitionWorker | undefined) => {
    const since = rebuilding.get(unit.key);
    if (since === undefined) return;
    rebuilding.delete(unit.key);
    log.info(
      {
        processor: unit.processor.name,
        version: unit.processor.version,
        partition: unit.partition,
        runner: config.owner,
        events: worker()?.progress.eventsDone,
        ms: Date.now() - since,
      },
      'rebuild finished: the partition caught up',
    );
  };

  const startWorker = (unit: Unit) => {
    const existing = workers.get(unit.key)?.state;
    if (!running || existing === 'live' || existing === 'catching_up' || existing === 'paused') {
      return;
    }
    const { processor: projection } = unit;
    const worker = startPartitionWorker(config, projection, unit.partition, wake, {
      building: () => (activeVersions.get(projection.name) ?? 0) < projection.version,
      caughtUp: () => trySwitch(projection),
      paused: () => paused.has(projection.name),
      refreshPauses: () => refreshPauses().catch(() => {}),
      live: () => rebuildCaughtUp(unit, () => workers.get(unit.key)),
    });
    workers.set(unit.key, worker);
    void heartbeat.beat();
    void worker.done.then(async (exit) => {
      if (exit !== 'superseded' || workers.get(unit.key) !== worker) return;
      workers.delete(unit.key);
      units = units.filter((u) => u.key !== unit.key);
      await heartbeat.forget(worker);
      await giveBack(unit, 'superseded');
    });
  };

  const stopWorker = async (key: string) => {
    const worker = workers.get(key);
    if (!worker) return;
    await worker.stop();
    workers.delete(key);
    await heartbeat.forget(worker);
  };

  /** Projections whose active version has a worker here: the rebuild requests it serves. */
  const workedActiveNames = () => [
    ...new Set(
      units
        .filter(
          (u) =>
            activeVersions.get(u.processor.name) === u.processor.version &&
            (workers.get(u.key)?.state ?? 'stopped') !== 'stopped',
        )
        .map((u) => u.processor.name),
    ),
  ];

  const stopAll = async () => {
    await Promise.all([...workers.keys()].map(stopWorker));
  };

  const start = async () => {
    await checkMigrated(readModels, schema, 'processors');
    await wake.start();
    unlistenControl = await readModels
      .listen(controlChannel(schema), checkPauses)
      .catch(() => null); // the status interval still reads pauses
    await refreshPauses();
    const ordered = [...config.processors].sort((a, b) =>
      a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1,
    );
    units = [];
    for (const projection of ordered) {
      const { registration, activeVersion } = await registerProjection(
        readModels,
        schema,
        readModelSchema,
        projection,
      );
      activeVersions.set(projection.name, activeVersion);
      if (registration === 'superseded') continue;
      for (let partition = 0; partition < projection.partitions; partition++) {
        units.push({ key: unitKey(projection, partition), processor: projection, partition });
      }
    }
    for (const name of activeVersions.keys()) {
      await dropOldVersions(readModels, schema, readModelSchema, name);
    }
    running = true;
    if (config.leases) {
      leases = createPartitionLeases<Unit>({
        ...config.leases,
        group: schema,
        units: () => units,
        acquired: (unit) => {
          logLease(unit, 'partition acquired');
          startWorker(unit);
        },
        release: async (unit) => {
          await stopWorker(unit.key);
          logLease(unit, 'partition released', 'surplus');
        },
        lost: async (error) => {
          // The locks went with the session: the workers stop after them.
          const running = units.filter((unit) => workers.has(unit.key));
          await stopAll();
          for (const unit of running) logLease(unit, 'partition released', `lost: ${error}`);
        },
      });
      await leases.start();
    } else {
      for (const unit of units) startWorker(unit);
    }
    statusTimer = setInterval(() => {
      void heartbeat.beat();
      void requests.check();
      checkPauses();
    }, config.statusIntervalMs);
    await requests.start();
    log.info(
      {
        runner: config.owner,
        processors: config.processors.map((p) => `${p.name}@${p.version}`),
        partitions: units.length,
        leases: config.leases !== null,
      },
      'processor runner started',
    );
  };

  const stop = async () => {
    await starting?.catch(() => {});
    running = false;
    clearInterval(statusTimer);
    statusTimer = undefined;
    for (const timer of dropTimers) clearTimeout(timer);
    dropTimers.clear();
    await requests.stop();
    await unlistenControl?.().catch(() => {});
    unlistenControl = null;
    await stopAll();
    for (const unit of units) {
      if (leases?.held().has(unit.key)) logLease(unit, 'partition released', 'runner stopped');
    }
    await heartbeat.clear();
    await leases?.stop();
    leases = null;
    await config.closePages();
    rebuilding.clear();
    log.info({ runner: config.owner }, 'processor runner stopped');
  };

  const resolveFrom = async (from: Position | Date | undefined): Promise<Position> => {
    if (from === undefined) return START_POSITION;
    if (from instanceof Date) return positionBefore(config.storeExecutor, config.storeSchema, from);
    return from;
  };

  const activeVersionOf = async (name: string): Promise<number> => {
    const version = await readActiveVersion(readModels, schema, name);
    if (version === undefined) {
      throw new DuetError('UNKNOWN_PROJECTION', `no projection named ${name} has been set up`);
    }
    return version;
  };

  /** Resets the active version and replays it (its own workers restart at once); false when `request` was taken elsewhere. */
  const rebuildActive = async (
    name: string,
    from: Position | Date | undefined,
    request?: { readonly id: string; readonly owner: string },
  ): Promise<boolean> => {
    const version = await activeVersionOf(name);
    const projection = config.processors.find((p) => p.name === name && p.version === version);
    if (!projection) {
      throw new DuetError(
        'UNKNOWN_PROJECTION',
        `${name} version ${version} is active, but this runner does not have it`,
      );
    }
    const position = await resolveFrom(from);
    const mine = units.filter((u) => u.processor === projection && workers.has(u.key));
    const fields = {
      processor: name,
      version,
      from: position,
      runner: config.owner,
      ...(request ? { request_id: request.id } : {}),
    };
    for (const unit of mine) await stopWorker(unit.key);
    try {
      const reset = await resetProjection(
        readModels,
        schema,
        readModelSchema,
        projection,
        position,
        request,
      );
      if (reset) {
        log.info(fields, 'rebuild started: tables reset, replaying');
        for (const unit of mine) rebuilding.set(unit.key, Date.now());
      }
      return reset;
    } catch (error) {
      log.error({ ...fields, error: (error as Error)?.message ?? String(error) }, 'rebuild failed');
      throw error;
    } finally {
      for (const unit of mine) startWorker(unit);
    }
  };

  const serveRebuild = (request: PendingRebuild) =>
    rebuildActive(request.name, request.from, { id: request.id, owner: config.owner });

  return {
    start() {
      if (running) return Promise.resolve();
      starting ??= start().finally(() => {
        starting = null;
      });
      return starting;
    },
    stop,
    status: () => readStatus(config, { owner: config.owner, workers: workers.values() }),
    async rebuild(name, rebuildOptions = {}) {
      await rebuildActive(name, rebuildOptions.from);
    },
    deadLetters,
    async readModel(name) {
      const version = await activeVersionOf(name);
      return {
        tables: projectionTables(readModelSchema, name, version),
        version,
        executor: readModels,
      };
    },
  };
}
