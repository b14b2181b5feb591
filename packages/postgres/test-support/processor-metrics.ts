import type { MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { expect } from 'vitest';

// Shared by the tests that read the duet.processor.* gauges.

/** A reader the test collects on demand (the SDK's periodic one would need a timer). */
class OnDemandReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** A meter provider and a reader of one gauge's values by `name#partition`. */
export function testMetrics() {
  const reader = new OnDemandReader();
  const meterProvider: MeterProviderApi = new MeterProvider({ readers: [reader] });
  const gauge = async (metric: string): Promise<Record<string, number>> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const values: Record<string, number> = {};
    for (const { metrics } of resourceMetrics.scopeMetrics) {
      for (const { descriptor, dataPoints } of metrics) {
        if (descriptor.name !== metric) continue;
        for (const { attributes, value } of dataPoints) {
          const key = `${attributes['duet.processor.name']}#${attributes['duet.processor.partition']}`;
          values[key] = value as number;
        }
      }
    }
    return values;
  };
  return { meterProvider, gauge };
}
