// Shared SDK machinery of the package unit-test harnesses (packages/*/test/harness.ts): a manual
// metric reader, collection helpers with an attribute sort order of the caller's choosing, and a
// diag logger that captures warnings. The workspace pins one copy of @opentelemetry/api and
// sdk-metrics, so these are the instances the packages under test use.
import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { Attributes, DiagLogger } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { expect } from 'vitest';

export interface SumPoint {
  attributes: Attributes;
  value: number;
}

export interface HistogramPoint {
  attributes: Attributes;
  count: number;
  sum: number;
  min: number | undefined;
  max: number | undefined;
  boundaries: number[];
  counts: number[];
}

/**
 * The harness machinery, sorting points by the attributes of `order` first
 * (absent sorts first), then by the remaining attribute keys in alphabetical order.
 */
export function sdkHarness(order: readonly string[]) {
  class TestReader extends MetricReader {
    protected override async onForceFlush(): Promise<void> {}
    protected override async onShutdown(): Promise<void> {}
  }

  /** Sort key: the attributes of `order`, then the rest by key. */
  function attributeKey(attributes: Attributes): string {
    const rest = Object.keys(attributes)
      .filter((k) => !order.includes(k))
      .sort();
    return [...order, ...rest].map((k) => String(attributes[k] ?? '')).join('\u0000');
  }

  function sortByAttributes<T extends { attributes: Attributes }>(points: T[]): T[] {
    return points.sort((a, b) => (attributeKey(a.attributes) < attributeKey(b.attributes) ? -1 : 1));
  }

  /** The metrics of one collection, by instrument name. */
  class Collection {
    constructor(readonly byName: ReadonlyMap<string, MetricData>) {}

    metric(name: string): MetricData | undefined {
      return this.byName.get(name);
    }

    /** Counter, up-down counter and gauge points of `name`, sorted by attributes; [] when absent. */
    points(name: string): SumPoint[] {
      const metric = this.byName.get(name);
      if (metric === undefined) return [];
      if (metric.dataPointType !== DataPointType.SUM && metric.dataPointType !== DataPointType.GAUGE) {
        throw new Error(`${name} is not a sum or gauge`);
      }
      return sortByAttributes(metric.dataPoints.map((p) => ({ attributes: { ...p.attributes }, value: p.value })));
    }

    /** Histogram points of `name`, sorted by attributes; [] when absent. */
    histograms(name: string): HistogramPoint[] {
      const metric = this.byName.get(name);
      if (metric === undefined) return [];
      if (metric.dataPointType !== DataPointType.HISTOGRAM) throw new Error(`${name} is not a histogram`);
      return sortByAttributes(
        metric.dataPoints.map((p) => ({
          attributes: { ...p.attributes },
          count: p.value.count,
          sum: p.value.sum ?? Number.NaN,
          min: p.value.min,
          max: p.value.max,
          boundaries: [...p.value.buckets.boundaries],
          counts: [...p.value.buckets.counts],
        })),
      );
    }

    /** `[attributes, value]` of each histogram point: a compact view for token counts. */
    sums(name: string): [Attributes, number][] {
      return this.histograms(name).map((h) => [h.attributes, h.sum]);
    }
  }

  async function collect(reader: MetricReader): Promise<Collection> {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const byName = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
    return new Collection(byName);
  }

  /** Captures `diag` warnings (and errors) through the OpenTelemetry API logger. */
  function captureDiag() {
    const warnings: string[] = [];
    const errors: string[] = [];
    const logger: DiagLogger = {
      error: (message) => void errors.push(message),
      warn: (message) => void warnings.push(message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    return { warnings, errors };
  }

  /** A real SDK provider with a manual reader. */
  function sdkProvider() {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    return { reader, provider, collect: () => collect(reader) };
  }

  return { TestReader, Collection, attributeKey, sortByAttributes, collect, captureDiag, sdkProvider };
}
