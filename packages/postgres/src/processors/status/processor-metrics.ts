import type { BatchObservableCallback, MeterProvider } from '@opentelemetry/api';
import type { ProjectionStatus } from '../processor-types.ts';

// The instrumentation scope (meter name) of the processor gauges, for SDK views.
const PROCESSOR_METER_NAME = '@duet/postgres';

/**
 * Registers the processors' gauges, each observed per partition with the attributes
 * `duet.processor.name`, `duet.processor.version` and `duet.processor.partition`:
 *
 * - `duet.processor.stalled` (1 while stalled, else 0) and `duet.processor.stopped`
 *   (1 while no runner's heartbeat is fresh, else 0): alert on either;
 * - `duet.processor.paused` (1 while an operator has paused it);
 * - `duet.processor.lag` ({event}) and `duet.processor.lag.age` (s, the oldest waiting
 *   event's age).
 *
 * One `status()` per collection serves all five (a batch callback), so it costs nothing
 * until an SDK reads them. Returns the function that unregisters them.
 *
 * @example
 * const stop = observeProcessorMetrics(metrics.getMeterProvider(), () => processors.status());
 */
export function observeProcessorMetrics(
  meterProvider: MeterProvider,
  status: () => Promise<readonly ProjectionStatus[]>,
): () => void {
  const meter = meterProvider.getMeter(PROCESSOR_METER_NAME);
  const stalled = meter.createObservableGauge('duet.processor.stalled', {
    description:
      'Whether the partition is stalled: events wait and its position has not moved for stallAfterMs, or it failed',
    unit: '1',
  });
  const stopped = meter.createObservableGauge('duet.processor.stopped', {
    description:
      'Whether no runner works the partition (no fresh heartbeat: none runs, or it died)',
    unit: '1',
  });
  const paused = meter.createObservableGauge('duet.processor.paused', {
    description: 'Whether an operator has paused the partition (Processors.pause)',
    unit: '1',
  });
  const lag = meter.createObservableGauge('duet.processor.lag', {
    description: 'Events of the processor after its position',
    unit: '{event}',
  });
  const lagAge = meter.createObservableGauge('duet.processor.lag.age', {
    description: 'Age of the oldest event the processor has not handled yet',
    unit: 's',
  });
  const observables = [stalled, stopped, paused, lag, lagAge];
  const observe: BatchObservableCallback = async (result) => {
    for (const s of await status()) {
      const attributes = {
        'duet.processor.name': s.name,
        'duet.processor.version': s.version,
        'duet.processor.partition': s.partition,
      };
      result.observe(stalled, s.health === 'stalled' ? 1 : 0, attributes);
      result.observe(stopped, s.health === 'stopped' ? 1 : 0, attributes);
      result.observe(paused, s.health === 'paused' ? 1 : 0, attributes);
      result.observe(lag, s.lagEvents, attributes);
      result.observe(lagAge, s.lagMs / 1_000, attributes);
    }
  };
  meter.addBatchObservableCallback(observe, observables);
  return () => meter.removeBatchObservableCallback(observe, observables);
}
