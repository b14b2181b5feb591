import os from 'node:os';
import pg from 'pg';
import { busyPercent, readCpuTimes } from '../measure/cpu-times.ts';

export interface MachineInfo {
  readonly workload: 'machine';
  readonly cpu: string;
  readonly cores: number;
  readonly memory_gb: number;
  readonly node: string;
  readonly platform: string;
  readonly postgres: string | null;
  readonly postgres_settings: Record<string, string> | null;
  /** CPU busy across all cores in the second before the bench started: other load. */
  readonly other_cpu_busy_pct: number | null;
  readonly loadavg_1m: number;
  readonly started_at: string;
}

const SETTINGS = ['synchronous_commit', 'max_connections', 'shared_buffers', 'fsync', 'wal_level'];

/** The machine and server a run measured; `serverUrl` undefined when only PGlite runs. */
export async function machineInfo(serverUrl: string | undefined): Promise<MachineInfo> {
  const cpus = os.cpus();
  return {
    workload: 'machine',
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    ...(serverUrl ? await serverInfo(serverUrl) : { postgres: null, postgres_settings: null }),
    other_cpu_busy_pct: await cpuBusyPercent(1000),
    loadavg_1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    started_at: new Date().toISOString(),
  };
}

async function serverInfo(
  serverUrl: string,
): Promise<{ postgres: string; postgres_settings: Record<string, string> }> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const version = await client.query<{ v: string }>(
      `SELECT current_setting('server_version') AS v`,
    );
    const settings = await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
      [SETTINGS],
    );
    return {
      postgres: version.rows[0]?.v ?? 'unknown',
      postgres_settings: Object.fromEntries(
        settings.rows.map((row) => [
          row.name,
          row.unit ? `${row.setting} ${row.unit}` : row.setting,
        ]),
      ),
    };
  } finally {
    await client.end();
  }
}

/** Share of all cores' time that was busy over `ms`: load from others before we start. */
async function cpuBusyPercent(ms: number): Promise<number | null> {
  const before = readCpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return busyPercent(before, readCpuTimes());
}
