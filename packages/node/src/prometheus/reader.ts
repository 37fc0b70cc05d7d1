import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { CompatPrometheusSerializer } from './serializer.js';
import { MetricsServer } from './server.js';

/** A pull reader: the upstream Prometheus exporter (as the reader) behind mltel's server and names. */
export interface PrometheusEndpoint {
  /** Register this with the MeterProvider. */
  readonly reader: PrometheusExporter;
  /** The exposition text, as `/metrics` serves it. */
  scrape(): Promise<string>;
  /** Starts serving; resolves with the bound port, rejects with the listen error. */
  listen(host: string, port: number): Promise<number>;
  /** Stops serving. */
  close(): Promise<void>;
}

/**
 * Creates the Prometheus endpoint. Scope labels (`otel_scope_name`) are left out so that the
 * labels of every series equal those of the OTLP path; resource attributes are on `target_info`.
 */
export function createPrometheusEndpoint(
  options: { merge?: (resourceMetrics: ResourceMetrics) => Promise<ResourceMetrics> } = {},
): PrometheusEndpoint {
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const serializer = new CompatPrometheusSerializer(undefined, false, undefined, false, true);
  const scrape = async (): Promise<string> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.warn('mltel: some metrics failed to collect', ...errors);
    // Host detection resolves some resource attributes asynchronously; target_info needs them.
    await resourceMetrics.resource.waitForAsyncAttributes?.();
    // Multi-process: the metrics of cluster workers and worker threads merged in (multiprocess/).
    return serializer.serialize(options.merge ? await options.merge(resourceMetrics) : resourceMetrics);
  };
  const server = new MetricsServer({ scrape });
  return {
    reader,
    scrape,
    listen: async (host, port) => (await server.listen(host, port)).port,
    close: () => server.close(),
  };
}
