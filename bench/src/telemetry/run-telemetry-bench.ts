import { contextOfTraceFields, inSpan, traceFieldsOf } from '@duet/core';
import { duetInstruments } from '@duet/core/adapters';
import { peakRssMb } from '../measure/peak-rss.ts';
import { machineInfo } from '../report/machine-info.ts';

const CALLS = 1_000_000;
const metadata = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  timestamp: '2026-12-05T00:00:00.000Z',
};

// What one command's append does for telemetry when no SDK is registered: two spans (the
// command's and the append's), the trace fields for the events' metadata, three metric
// calls; a processor batch adds a context per event.
const operations: readonly (readonly [string, () => unknown])[] = [
  ['await a resolved promise (baseline)', () => Promise.resolve(1)],
  ['inSpan', () => inSpan('duet.append', { attributes: { 'duet.stream': 's' } }, async () => 1)],
  ['traceFieldsOf', () => traceFieldsOf()],
  ['contextOfTraceFields', () => contextOfTraceFields(metadata)],
  ['counter add', () => duetInstruments().appendedEvents.add(1, { 'duet.store': 's' })],
];

/**
 * `telemetry`: what Duet's tracing and metrics cost with no OpenTelemetry SDK registered,
 * in ns per call of each operation on the append path (1,000,000 calls after 10,000 to
 * warm up), and the sum one command's append pays. Compare with an append's latency in
 * `append` (1x1 p50 is about 0.5 ms here).
 */
export async function runTelemetryBench(options: { readonly json: boolean }): Promise<void> {
  const machine = await machineInfo(undefined);
  if (options.json) process.stdout.write(`${JSON.stringify(machine)}\n`);
  const ns: Record<string, number> = {};
  for (const [name, operation] of operations) {
    for (let i = 0; i < 10_000; i++) await operation();
    const started = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await operation();
    ns[name] = Number(process.hrtime.bigint() - started) / CALLS;
    const line = {
      workload: 'telemetry',
      sdk: 'none',
      operation: name,
      ns_per_call: ns[name],
      peak_rss_mb: peakRssMb(),
    };
    process.stdout.write(
      options.json
        ? `${JSON.stringify(line)}\n`
        : `${name.padEnd(40)} ${ns[name]!.toFixed(0).padStart(6)} ns\n`,
    );
  }
  const perAppend = 2 * (ns.inSpan ?? 0) + (ns.traceFieldsOf ?? 0) + 3 * (ns['counter add'] ?? 0);
  const line = {
    workload: 'telemetry',
    sdk: 'none',
    operation: 'one command append',
    ns_per_call: perAppend,
    peak_rss_mb: peakRssMb(),
  };
  process.stdout.write(
    options.json
      ? `${JSON.stringify(line)}\n`
      : `${'one command append (2 spans, fields, 3 metrics)'.padEnd(40)} ${perAppend.toFixed(0).padStart(6)} ns\n`,
  );
}
