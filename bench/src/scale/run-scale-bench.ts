import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPgExecutor, eventsChannel, migrate } from '@duet/postgres';
import { openBackendMonitor } from '../append/backend-monitor.ts';
import { createBenchDatabase } from '../database/bench-database.ts';
import { type CpuSample, sampleCpu } from '../measure/cpu-breakdown.ts';
import { machineInfo } from '../report/machine-info.ts';
import { restoreAppendNotify } from './restore-append-notify.ts';
import {
  describeScaleLine,
  type ScaleLine,
  type ScaleRatioLine,
  scaleLine,
  scaleRatioLine,
} from './scale-lines.ts';
import type {
  ScaleChildConfig,
  ScaleChildMessage,
  ScaleGo,
  ScaleReport,
  WakeMode,
} from './scale-messages.ts';
import { startWaitSampler } from './wait-sampler.ts';

const WAKE_MODES: readonly WakeMode[] = ['in-transaction', 'after-commit'];
const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));

export interface ScaleBenchOptions {
  readonly json: boolean;
  readonly databaseUrl: string;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Closed-loop writers in each app process (one event per append). */
  readonly clients: number;
  /** How many app processes each round runs, e.g. [1, 4]. */
  readonly processes: readonly number[];
}

/**
 * `bench scale`: app processes appending to one PostgreSQL database, each Duet's store
 * with its defaults and `clients` writers, for each count of `processes`, for each way of
 * waking readers (`WakeMode`): the store as it is, without its per-commit NOTIFY, and with
 * the proposed NOTIFY after commit. Each round on a fresh schema; the database's active backends'
 * wait events and ungranted locks are sampled through the window.
 */
export async function runScaleBench(options: ScaleBenchOptions): Promise<void> {
  const machine = await machineInfo(options.databaseUrl);
  if (options.json) process.stdout.write(`${JSON.stringify(machine)}\n`);
  const print = (line: ScaleLine | ScaleRatioLine) =>
    process.stdout.write(options.json ? `${JSON.stringify(line)}\n` : describeScaleLine(line));
  const db = await createBenchDatabase(options.databaseUrl, 'scale');
  const children = new Set<ChildProcess>();
  const onSignal = () => {
    for (const child of children) child.kill('SIGKILL');
    void db.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const executor = createPgExecutor({ connectionString: db.url, max: 2 });
  try {
    for (const wake of WAKE_MODES) {
      const lines: ScaleLine[] = [];
      for (const processes of options.processes) {
        const schema = `scale_${wake.replace('-', '_')}_${processes}`;
        await migrate(executor, { schema });
        if (wake === 'in-transaction') {
          await restoreAppendNotify(executor, schema, eventsChannel(schema));
        }
        process.stderr.write(`scale: ${processes} process(es), wake ${wake}\n`);
        const line = await runRound(
          options,
          { databaseUrl: db.url, schema, processes, wake },
          children,
        );
        lines.push(line);
        print(line);
      }
      print(scaleRatioLine(lines, wake));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await executor.close();
    await db.drop();
  }
}

async function runRound(
  options: ScaleBenchOptions,
  round: {
    readonly databaseUrl: string;
    readonly schema: string;
    readonly processes: number;
    readonly wake: WakeMode;
  },
  children: Set<ChildProcess>,
): Promise<ScaleLine> {
  const { databaseUrl, schema, processes, wake } = round;
  const started = Array.from({ length: processes }, (_, index) => {
    const config: ScaleChildConfig = {
      databaseUrl,
      schema,
      process: index,
      writers: options.clients,
      wake,
    };
    const child = fork(CHILD, [JSON.stringify(config)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const messages: ScaleChildMessage[] = [];
    const waiters: ((message: ScaleChildMessage) => void)[] = [];
    child.on('message', (message: ScaleChildMessage) => {
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else messages.push(message);
    });
    const next = () =>
      new Promise<ScaleChildMessage>((resolve, reject) => {
        const queued = messages.shift();
        if (queued) return resolve(queued);
        waiters.push(resolve);
        void exited.then(() => reject(new Error(`app process ${index} exited early`)));
      });
    return { child, exited, next };
  });
  const monitor = await openBackendMonitor(databaseUrl);
  // Counts the NOTIFYs readers would get: how many wake-ups the appends cost.
  const listener = createPgExecutor({ connectionString: databaseUrl, max: 1 });
  let notifications = 0;
  const stopListening = await listener.listen(eventsChannel(schema), () => {
    notifications += 1;
  });
  try {
    await Promise.all(started.map((one) => one.next()));
    const warmupMs = options.warmupSeconds * 1000;
    const measureMs = options.seconds * 1000;
    const startAt = performance.timeOrigin + performance.now() + 200;
    const go: ScaleGo = { kind: 'go', startAt, warmupMs, measureMs };
    for (const one of started) one.child.send(go);
    const toWindow = startAt + warmupMs - (performance.timeOrigin + performance.now());
    await new Promise((resolve) => setTimeout(resolve, toWindow));
    const before: CpuSample = sampleCpu();
    const notifiedBefore = notifications;
    const sampler = await startWaitSampler(databaseUrl, 50);
    await new Promise((resolve) => setTimeout(resolve, measureMs));
    const after: CpuSample = sampleCpu();
    const notified = notifications - notifiedBefore;
    const pids = await monitor.serverPids();
    const waits = await sampler.stop();
    const report: ScaleReport = { kind: 'report' };
    for (const one of started) one.child.send(report);
    const results = await Promise.all(started.map((one) => one.next()));
    return scaleLine({
      processes,
      wake,
      writersPerProcess: options.clients,
      seconds: options.seconds,
      results,
      notified,
      cpu: { before, after, appPids: started.map((one) => one.child.pid ?? -1), pids },
      waits,
    });
  } finally {
    await stopListening();
    await listener.close();
    await monitor.close();
    for (const one of started) {
      if (one.child.exitCode === null) one.child.kill('SIGTERM');
      await one.exited;
      children.delete(one.child);
    }
  }
}
