// Shared harness of the @mltel/tasks unit tests: a real MeterProvider with a manual reader,
// collection helpers, and a diag logger that captures warnings.
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { Attributes, DiagLogger } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_QUEUE_NAME,
  ATTR_ML_TASK_NAME,
  ATTR_ML_TASK_STATUS,
  ATTR_ML_WORKER_TYPE,
  TASK_DURATION_BUCKETS,
} from '@mltel/semconv';
import { expect } from 'vitest';
import { createTaskMeter } from '../src/default-meter.js';
import type { TaskMeterOptions } from '../src/types.js';


export class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

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

/** The metrics of one collection, by instrument name. */
export class Collection {
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
}

/** Sort key: task name, status, error type, worker type, queue name (absent sorts first). */
export function attributeKey(attributes: Attributes): string {
  const order = [ATTR_ML_TASK_NAME, ATTR_ML_TASK_STATUS, ATTR_ERROR_TYPE, ATTR_ML_WORKER_TYPE, ATTR_ML_QUEUE_NAME];
  const rest = Object.keys(attributes).filter((k) => !order.includes(k)).sort();
  return [...order, ...rest].map((k) => String(attributes[k] ?? '')).join('\u0000');
}

export function sortByAttributes<T extends { attributes: Attributes }>(points: T[]): T[] {
  return points.sort((a, b) => (attributeKey(a.attributes) < attributeKey(b.attributes) ? -1 : 1));
}

export async function collect(reader: MetricReader): Promise<Collection> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  }
  return new Collection(byName);
}

/** A real SDK provider with a manual reader, and a task meter bound to it. */
export function setup(options: Omit<TaskMeterOptions, 'meterProvider'> = {}) {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = createTaskMeter({ ...options, meterProvider: provider });
  return { reader, provider, meter, collect: () => collect(reader) };
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Captures `diag` warnings (and errors) through the OpenTelemetry API logger. */
export function captureDiag() {
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

export const BUCKETS = [...TASK_DURATION_BUCKETS];
export const NAME = ATTR_ML_TASK_NAME;
export const STATUS = ATTR_ML_TASK_STATUS;
export const WORKER = ATTR_ML_WORKER_TYPE;
export const ERROR_TYPE = ATTR_ERROR_TYPE;
export const QUEUE = ATTR_ML_QUEUE_NAME;
