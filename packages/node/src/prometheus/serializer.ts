import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { toPrometheusName } from '@mltel/semconv';
import type { PrometheusType } from '@mltel/semconv';

function prometheusType(metric: MetricData): PrometheusType {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
  return 'gauge';
}

/**
 * The upstream Prometheus serializer with the OTel-to-Prometheus name rules it lacks: the unit
 * suffix (`ml_task_duration_seconds`) and `_ratio` on unit-`1` gauges, so a scrape shows the
 * same names as the Collector or an OTLP-ingesting backend. It renames the metrics and hands
 * them to the upstream serializer, which keeps everything else (escaping, `_total`,
 * `target_info`, histograms) as upstream does it.
 */
export class CompatPrometheusSerializer extends PrometheusSerializer {
  private readonly names = new Map<string, string>();

  override serialize(resourceMetrics: ResourceMetrics): string {
    return super.serialize({
      resource: resourceMetrics.resource,
      scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
        scope: scope.scope,
        metrics: scope.metrics.map((metric) => this.renamed(metric)),
      })),
    });
  }

  private renamed(metric: MetricData): MetricData {
    const { name, unit } = metric.descriptor;
    const type = prometheusType(metric);
    const key = `${name}\0${unit}\0${type}`;
    let promName = this.names.get(key);
    if (promName === undefined) {
      promName = toPrometheusName(name, unit, type);
      // Bounded by the number of instruments, which the SDK itself bounds.
      this.names.set(key, promName);
    }
    return { ...metric, descriptor: { ...metric.descriptor, name: promName } } as MetricData;
  }
}
