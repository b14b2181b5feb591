import type { ShapeResult } from '../append/round-config.ts';
import type { AppendRatio } from './append-ratios.ts';
import { formatTable } from './format-table.ts';
import type { MachineInfo } from './machine-info.ts';

/** The human-readable form of an append run (what `--json` prints as lines). */
export function appendTable(
  machine: MachineInfo,
  results: readonly ShapeResult[],
  ratios: readonly AppendRatio[],
): string {
  const header = [
    `${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB, Node ${machine.node}`,
    `PostgreSQL ${machine.postgres ?? '(not used)'}; other CPU load before start: ${machine.other_cpu_busy_pct ?? '?'} %`,
  ].join('\n');
  const byShape = formatTable(
    ['shape', 'system', 'store', 'round', 'events/s', 'p50 ms', 'p99 ms', 'note'],
    results.map((r) => [
      `${r.writers}x${r.batch}`,
      r.system,
      r.store,
      r.round,
      r.events_per_sec,
      r.p50_ms,
      r.p99_ms,
      r.error ?? '',
    ]),
  );
  const compared = formatTable(
    [
      'shape',
      'duet events/s',
      'emmett events/s',
      'raw events/s',
      'raw duet-row events/s',
      'duet/emmett',
      'duet/raw',
      'duet/raw duet-row',
    ],
    ratios.map((r) => [
      `${r.writers}x${r.batch}`,
      r.duet_events_per_sec ?? '-',
      r.emmett_events_per_sec ?? '-',
      r.raw_events_per_sec ?? '-',
      r.raw_duet_row_events_per_sec ?? '-',
      r.ratio ?? '-',
      r.ratio_to_raw ?? '-',
      r.ratio_to_raw_duet_row ?? '-',
    ]),
  );
  return `${header}\n\n${byShape}\n\n${compared}\n`;
}
