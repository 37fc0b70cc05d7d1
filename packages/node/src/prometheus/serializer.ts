import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { toPrometheusName } from '@mltel/semconv';
import type { PrometheusType } from '@mltel/semconv';
import { MetricLines, openMetricsFamily } from './metric-lines.js';
import { loadUpstreamSerializer } from './upstream.js';
import type { ExemplarSource, ExpositionFormat, FamilyMetadata } from './metric-lines.js';

function prometheusType(metric: MetricData): PrometheusType {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
  return 'gauge';
}

/** Data points serialized between two checks of the time slice (a few hundred microseconds' work). */
export const SLICE_POINTS = 250;
/** Default longest stretch (ms) that {@link CompatPrometheusSerializer.serializeSliced} holds the thread. */
export const SLICE_MS = 2;

/** How {@link CompatPrometheusSerializer.serializeSliced} writes. */
export interface SerializeOptions {
  /** `text` (0.0.4, the default) or `openmetrics` (1.0, with `# EOF`). */
  format?: ExpositionFormat;
  /** Exemplars for the histogram buckets (OpenMetrics only). */
  exemplars?: ExemplarSource;
  /** Longest stretch (ms) written without a turn of the event loop (default {@link SLICE_MS}). */
  sliceMs?: number;
}

interface Family {
  metadata: FamilyMetadata | undefined;
  metrics: { metric: MetricData; scope: InstrumentationScope }[];
}

// The upstream serializer's own steps and settings (@opentelemetry/exporter-prometheus 0.301.0,
// pinned). Its grouping of metrics into families (with its warnings on conflicting metadata) is
// kept; the lines of the samples are written by MetricLines, byte for byte as upstream writes
// them in the text format (serializer.test.ts compares both on every kind of metric).
interface Upstream {
  _appendTimestamp: boolean;
  _withResourceConstantLabels: RegExp | undefined;
  _withoutScopeInfo: boolean;
  _withoutTargetInfo: boolean;
  _collectMetricFamilies(resourceMetrics: ResourceMetrics): Map<string, Family>;
  _filterResourceConstantLabels(attributes: Attributes, pattern: RegExp | undefined): Attributes | undefined;
  _serializeResource(resource: ResourceMetrics['resource'], metadata: unknown, writeMetadata: boolean): string;
}

const NO_REGISTERED_METRICS = '# no registered metrics';
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The upstream Prometheus serializer with the OTel-to-Prometheus name rules it lacks: the unit
 * suffix (`ml_task_duration_seconds`) and `_ratio` on unit-`1` gauges, so a scrape shows the
 * same names as the Collector or an OTLP-ingesting backend; and OpenMetrics 1.0 with exemplars
 * beside the text format. Escaping, `_total`, `target_info` and histograms are as upstream's.
 */
export class CompatPrometheusSerializer extends loadUpstreamSerializer() {
  private readonly names = new Map<string, string>();
  /** OpenMetrics unit word by Prometheus name (`seconds` for `ml_task_duration_seconds`). */
  private readonly units = new Map<string, string>();
  /** The OTel instrument name of each renamed metric (the exemplars' key). */
  private readonly instruments = new WeakMap<MetricData, string>();
  private readonly lines = new MetricLines();
  private readonly warned = new Set<string>();

  override serialize(resourceMetrics: ResourceMetrics): string {
    // Timestamps on samples: upstream's own path (mltel's endpoint never asks for them).
    if ((this as unknown as Upstream)._appendTimestamp) return super.serialize(this.renamedAll(resourceMetrics));
    let text = '';
    for (const piece of this.pieces(resourceMetrics, 'text', undefined)) text += piece;
    return text;
  }

  /**
   * The same text as {@link serialize} (or OpenMetrics), written in slices of at most about
   * `sliceMs` with a turn of the event loop between them: a scrape of 10k series otherwise holds
   * the application's thread for its whole serialization.
   */
  async serializeSliced(resourceMetrics: ResourceMetrics, options: number | SerializeOptions = {}): Promise<string> {
    const opts = typeof options === 'number' ? { sliceMs: options } : options;
    if ((opts.format ?? 'text') === 'text' && (this as unknown as Upstream)._appendTimestamp) {
      return this.serialize(resourceMetrics);
    }
    const parts: string[] = [];
    await this.sliced(resourceMetrics, opts, (piece) => parts.push(piece));
    return parts.join('');
  }

  /**
   * {@link serializeSliced} as UTF-8 bytes, encoded piece by piece within the slices: a 7 MB
   * scrape (100k series) otherwise ends with one synchronous join and encoding of 15-40 ms.
   */
  async encodeSliced(resourceMetrics: ResourceMetrics, options: SerializeOptions = {}): Promise<Buffer> {
    if ((options.format ?? 'text') === 'text' && (this as unknown as Upstream)._appendTimestamp) {
      return Buffer.from(this.serialize(resourceMetrics), 'utf8');
    }
    const buffers: Buffer[] = [];
    await this.sliced(resourceMetrics, options, (piece) => buffers.push(Buffer.from(piece, 'utf8')));
    return Buffer.concat(buffers);
  }

  private async sliced(
    resourceMetrics: ResourceMetrics,
    { format = 'text', exemplars, sliceMs = SLICE_MS }: SerializeOptions,
    write: (piece: string) => void,
  ): Promise<void> {
    let sliceStart = performance.now();
    for (const piece of this.pieces(resourceMetrics, format, exemplars)) {
      write(piece);
      if (performance.now() - sliceStart < sliceMs) continue;
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }

  /** The exposition in pieces of at most {@link SLICE_POINTS} data points each. */
  private *pieces(
    resourceMetrics: ResourceMetrics,
    format: ExpositionFormat,
    exemplarSource: ExemplarSource | undefined,
  ): Generator<string> {
    const upstream = this as unknown as Upstream;
    const renamed = this.renamedAll(resourceMetrics);
    const families = upstream._collectMetricFamilies(renamed);
    const constant = upstream._filterResourceConstantLabels(
      renamed.resource.attributes,
      upstream._withResourceConstantLabels,
    );
    const openMetrics = format === 'openmetrics';
    let empty = true;
    // OpenMetrics names a counter's family without `_total`: a counter `x_total` and a gauge `x`,
    // two families in the text format, would be one name twice, which fails the whole scrape.
    const openMetricsNames = new Set<string>();
    for (const [name, family] of families) {
      const metadata = family.metadata;
      if (metadata === undefined) continue;
      if (openMetrics) {
        const { family: familyName } = openMetricsFamily(name, metadata.type);
        if (openMetricsNames.has(familyName)) {
          this.warnOnce(
            `mltel: OpenMetrics scrapes leave out "${name}": its family name "${familyName}" is another metric's. Fix: rename one of the two instruments (or a view).`,
          );
          continue;
        }
        openMetricsNames.add(familyName);
      }
      let writeMetadata = true;
      if (name === 'target_info' && !upstream._withoutTargetInfo) {
        yield openMetrics
          ? `# TYPE target info\n# HELP target Target metadata\ntarget_info${this.lines.labels(renamed.resource.attributes)} 1\n`
          : upstream._serializeResource(renamed.resource, metadata, true);
        writeMetadata = false;
      }
      for (const { metric, scope } of family.metrics) {
        const additional = upstream._withoutScopeInfo ? constant : scopeLabels(scope, constant);
        const instrument = this.instruments.get(metric);
        const exemplars =
          openMetrics && exemplarSource && instrument !== undefined && metric.dataPointType === DataPointType.HISTOGRAM
            ? this.lines.exemplarsBySeries(exemplarSource.exemplars(instrument))
            : undefined;
        const unit = this.units.get(name);
        for (let from = 0; from < metric.dataPoints.length || from === 0; from += SLICE_POINTS) {
          const text = this.lines.write({
            metric,
            name,
            metadata,
            writeMetadata,
            format,
            additional,
            unit,
            exemplars,
            from,
            to: from + SLICE_POINTS,
          });
          if (text !== '') {
            empty = false;
            writeMetadata = false;
            yield text;
          }
          if (metric.dataPoints.length === 0) break;
        }
      }
    }
    if (openMetrics) yield '# EOF\n';
    else if (empty) yield NO_REGISTERED_METRICS;
  }

  private warnOnce(message: string): void {
    // Bounded by the number of instruments.
    if (this.warned.has(message)) return;
    this.warned.add(message);
    diag.warn(message);
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
      // Both bounded by the number of instruments, which the SDK itself bounds.
      this.names.set(key, promName);
      const word = unitWord(name, unit, type);
      if (word !== '' && !this.units.has(promName)) this.units.set(promName, word);
    }
    const renamed = { ...metric, descriptor: { ...metric.descriptor, name: promName } } as MetricData;
    this.instruments.set(renamed, name);
    return renamed;
  }
}

/** The scope labels upstream adds when scope info is on, then the resource's constant labels. */
function scopeLabels(scope: InstrumentationScope, constant: Attributes | undefined): Attributes {
  const labels: Attributes = { 'otel.scope.name': scope.name };
  if (scope.schemaUrl) labels['otel.scope.schema_url'] = scope.schemaUrl;
  if (scope.version) labels['otel.scope.version'] = scope.version;
  return Object.assign(labels, constant);
}

/** The unit word that the compatibility naming appends for `unit` (`seconds`, `bytes`, `ratio`), or empty. */
function unitWord(name: string, unit: string, type: PrometheusType): string {
  const family = (prometheusName: string) =>
    type === 'counter' && prometheusName.endsWith('_total')
      ? prometheusName.slice(0, -'_total'.length)
      : prometheusName;
  const withUnit = family(toPrometheusName(name, unit, type));
  const without = family(toPrometheusName(name, '', type));
  return withUnit.startsWith(`${without}_`) ? withUnit.slice(without.length + 1) : '';
}
