import { AggregationTemporality, AggregationType, MetricReader } from '@opentelemetry/sdk-metrics';

/**
 * The Prometheus endpoint's reader: cumulative, default aggregations, collected when a scrape
 * asks (./reader.ts). It is what the upstream PrometheusExporter is as a reader, with the same
 * component type, without its HTTP server, which mltel does not use (./server.ts serves) and whose
 * module costs the start-up its ES import of node:http (./upstream.ts).
 */
export class PullReader extends MetricReader {
  constructor() {
    super({
      aggregationSelector: () => ({ type: AggregationType.DEFAULT }),
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      otelComponentType: 'prometheus_http_text_metric_exporter',
    });
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}
