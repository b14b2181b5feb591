import { formatTable } from '../report/format-table.ts';
import type { MachineInfo } from '../report/machine-info.ts';

type Line = Record<string, unknown>;

/** The relay run as text: a line per system, the ratio, and a line per end-to-end rate. */
export function relayTable(
  machine: MachineInfo & { nats: string },
  lines: readonly object[],
): string {
  const all = lines as readonly Line[];
  const systems = all.filter((l) => l.workload === 'relay' && l.system !== undefined);
  const ratio = all.find((l) => l.workload === 'relay' && l.ratio_to_raw !== undefined);
  const e2e = all.filter((l) => l.workload === 'relay-e2e');
  const n = (value: unknown) => (typeof value === 'number' ? value : String(value ?? ''));
  const parts = [
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}, NATS ${machine.nats}`,
    '',
    formatTable(
      ['system', 'round', 'events', 'events/s', 'seconds', 'stored', 'peak RSS MB'],
      systems.map((l) => [
        String(l.system),
        n(l.round ?? ''),
        n(l.events),
        n(l.events_per_sec),
        n(l.seconds),
        n(l.stored),
        n(l.peak_rss_mb),
      ]),
    ),
    '',
    ratio
      ? `ratio_to_raw ${String(ratio.ratio_to_raw)} (goal >= ${String(ratio.goal_ratio_to_raw)}), same messages: ${String(ratio.same_messages)}, correct: ${String(ratio.correct)}`
      : 'ratio: none',
    '',
    formatTable(
      ['rate/s', 'achieved/s', 'p50 ms', 'p99 ms', 'max ms', 'events', 'correct', 'peak RSS MB'],
      e2e.map((l) => [
        n(l.rate),
        n(l.achieved_rate),
        n(l.p50_ms),
        n(l.p99_ms),
        n(l.max_ms),
        n(l.measured),
        `correct: ${String(l.correct)}`,
        n(l.peak_rss_mb),
      ]),
    ),
    '',
  ];
  return parts.join('\n');
}
