/** Flushes what is buffered and stops exporting. */
export type StopTelemetry = () => Promise<void>;

/**
 * Turns on OpenTelemetry export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and does
 * nothing otherwise (`npm start` exports nothing by default). The SDK reads the standard
 * OTEL_* variables: `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_EXPORTER`,
 * `OTEL_METRICS_EXPORTER`, `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_SERVICE_NAME` (which beats
 * `serviceName`). Duet's packages record through `@opentelemetry/api` only; this is the
 * one place the SDK is loaded, so a shop without the variable never loads it.
 *
 * @example
 * const stopTelemetry = await startTelemetry('duet-shop-orders');
 * // ... on shutdown:
 * await stopTelemetry?.();
 */
export async function startTelemetry(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StopTelemetry | null> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ serviceName, instrumentations: [] });
  sdk.start();
  return () => sdk.shutdown();
}
