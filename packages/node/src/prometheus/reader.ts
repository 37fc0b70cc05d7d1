import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { CompatPrometheusSerializer } from './serializer.js';
import { MetricsServer } from './server.js';
import type { MetricsServerOptions } from './server.js';

/** A pull reader: the upstream Prometheus exporter (as the reader) behind mltel's server and names. */
export interface PrometheusEndpoint {
  /** Register this with the MeterProvider. */
  readonly reader: PrometheusExporter;
  /** The exposition text, as `/metrics` serves it (shares a collection already running). */
  scrape(): Promise<string>;
  /** Starts serving; resolves with the bound port, rejects with the listen error. */
  listen(host: string, port: number): Promise<number>;
  /** Stops serving. */
  close(): Promise<void>;
}

/** One collection's result, as text and as the bytes every response of it sends. */
interface Exposition {
  text: string;
  body: Buffer;
}

/**
 * Creates the Prometheus endpoint. Scope labels (`otel_scope_name`) are left out so that the
 * labels of every series equal those of the OTLP path; resource attributes are on `target_info`.
 *
 * Scrapes are coalesced: a request that arrives while a collection runs gets that collection's
 * result instead of starting its own, so N concurrent scrapes cost one collection, not N (100
 * concurrent scrapes of 10k series held the application's thread for 10.7 s when each collected).
 */
export function createPrometheusEndpoint(
  options: {
    merge?: (resourceMetrics: ResourceMetrics) => Promise<ResourceMetrics>;
    server?: MetricsServerOptions;
  } = {},
): PrometheusEndpoint {
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const serializer = new CompatPrometheusSerializer(undefined, false, undefined, false, true);
  const collect = async (): Promise<Exposition> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) diag.warn('mltel: some metrics failed to collect', ...errors);
    // Host detection resolves some resource attributes asynchronously; target_info needs them.
    await resourceMetrics.resource.waitForAsyncAttributes?.();
    // Multi-process: the metrics of cluster workers and worker threads merged in (multiprocess/).
    const merged = options.merge ? await options.merge(resourceMetrics) : resourceMetrics;
    // In slices, with turns of the event loop between them: the application keeps serving.
    const text = await serializer.serializeSliced(merged);
    // Encoded once: every coalesced response sends the same bytes.
    return { text, body: Buffer.from(text, 'utf8') };
  };
  let running: Promise<Exposition> | undefined;
  const current = (): Promise<Exposition> => {
    running ??= collect().finally(() => {
      running = undefined;
    });
    return running;
  };
  const server = new MetricsServer({ scrape: async () => (await current()).body }, options.server);
  return {
    reader,
    scrape: async () => (await current()).text,
    listen: async (host, port) => (await server.listen(host, port)).port,
    close: () => server.close(),
  };
}
