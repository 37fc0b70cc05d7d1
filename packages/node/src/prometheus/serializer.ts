import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { toPrometheusName } from '@mltel/semconv';
import type { PrometheusType } from '@mltel/semconv';

function prometheusType(metric: MetricData): PrometheusType {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
  return 'gauge';
}

/** Data points serialized between two checks of the time slice (a few hundred microseconds' work). */
export const SLICE_POINTS = 250;
/** Default longest stretch (ms) that {@link CompatPrometheusSerializer.serializeSliced} holds the thread. */
export const SLICE_MS = 2;

interface Family {
  metadata: unknown;
  metrics: { metric: MetricData; scope: InstrumentationScope }[];
}

// The upstream serializer's own steps (@opentelemetry/exporter-prometheus 0.301.0, pinned): the
// sliced serialization runs them in the same order as its `serialize`, so the text is the same
// byte for byte (serializer.test.ts compares both on every kind of metric).
interface Upstream {
  _additionalAttributes: Attributes | undefined;
  _withResourceConstantLabels: RegExp | undefined;
  _withoutTargetInfo: boolean;
  _collectMetricFamilies(resourceMetrics: ResourceMetrics): Map<string, Family>;
  _filterResourceConstantLabels(attributes: Attributes, pattern: RegExp | undefined): Attributes | undefined;
  _serializeResource(resource: ResourceMetrics['resource'], metadata: unknown, writeMetadata: boolean): string;
  _serializeMetricData(
    metric: MetricData,
    scope: InstrumentationScope,
    name: string,
    metadata: unknown,
    writeMetadata: boolean,
  ): string;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
    return super.serialize(this.renamedAll(resourceMetrics));
  }

  /**
   * The same text as {@link serialize}, written in slices of at most about `sliceMs` with a turn
   * of the event loop between them: a scrape of 10k series otherwise holds the application's
   * thread for its whole serialization, and the application cannot answer its own requests.
   */
  async serializeSliced(resourceMetrics: ResourceMetrics, sliceMs = SLICE_MS): Promise<string> {
    const upstream = this as unknown as Upstream;
    const renamed = this.renamedAll(resourceMetrics);
    let sliceStart = performance.now();
    const maybeYield = async (): Promise<void> => {
      if (performance.now() - sliceStart < sliceMs) return;
      await yieldToEventLoop();
      sliceStart = performance.now();
    };
    const families = upstream._collectMetricFamilies(renamed);
    const additional = upstream._filterResourceConstantLabels(
      renamed.resource.attributes,
      upstream._withResourceConstantLabels,
    );
    const parts: string[] = [];
    let resource = '';
    for (const [name, family] of families) {
      if (family.metadata === undefined) continue;
      let writeMetadata = true;
      if (name === 'target_info' && !upstream._withoutTargetInfo) {
        resource = upstream._serializeResource(renamed.resource, family.metadata, writeMetadata);
        writeMetadata = false;
      }
      for (const { metric, scope } of family.metrics) {
        // A metric of many series in pieces, each serialized as upstream serializes a whole one:
        // its lines are the same, and a piece's text ends where the next one's starts.
        for (let from = 0; from < metric.dataPoints.length || from === 0; from += SLICE_POINTS) {
          const piece = { ...metric, dataPoints: metric.dataPoints.slice(from, from + SLICE_POINTS) } as MetricData;
          // Set before each piece: another scrape may have serialized meanwhile, on this serializer.
          upstream._additionalAttributes = additional;
          const text = upstream._serializeMetricData(piece, scope, name, family.metadata, writeMetadata);
          if (text) {
            parts.push(`${text}\n`);
            writeMetadata = false;
          }
          await maybeYield();
          if (metric.dataPoints.length === 0) break;
        }
      }
    }
    const body = parts.join('');
    return resource + (body === '' ? '# no registered metrics' : body);
  }

  private renamedAll(resourceMetrics: ResourceMetrics): ResourceMetrics {
    return {
      resource: resourceMetrics.resource,
      scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
        scope: scope.scope,
        metrics: scope.metrics.map((metric) => this.renamed(metric)),
      })),
    };
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
