// Shared harness of the @mltel/genai unit tests: a real MeterProvider with a manual reader,
// collection helpers, and a diag logger that captures warnings.
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { Attributes, DiagLogger } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_ML_CIRCUIT_BREAKER_STATE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@mltel/semconv';
import { expect } from 'vitest';
import { createProviderMeter } from '../src/default-meter.js';
import type { ProviderMeterOptions } from '../src/types.js';

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

const ORDER = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_ML_CIRCUIT_BREAKER_STATE,
];

/** Sort key: provider, operation, models, error type, token type, circuit state, then the rest. */
export function attributeKey(attributes: Attributes): string {
  const rest = Object.keys(attributes).filter((k) => !ORDER.includes(k)).sort();
  return [...ORDER, ...rest].map((k) => String(attributes[k] ?? '')).join('\u0000');
}

function sortByAttributes<T extends { attributes: Attributes }>(points: T[]): T[] {
  return points.sort((a, b) => (attributeKey(a.attributes) < attributeKey(b.attributes) ? -1 : 1));
}

/** The metrics of one collection, by instrument name. */
export class Collection {
  constructor(readonly byName: ReadonlyMap<string, MetricData>) {}

  metric(name: string): MetricData | undefined {
    return this.byName.get(name);
  }

  /** Counter and gauge points of `name`, sorted by attributes; [] when absent. */
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

export async function collect(reader: MetricReader): Promise<Collection> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  }
  return new Collection(byName);
}

/** A real SDK provider with a manual reader. */
export function sdkProvider() {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, provider, collect: () => collect(reader) };
}

/** A real SDK provider and a provider meter bound to it. */
export function setup(options: Omit<ProviderMeterOptions, 'meterProvider'> = {}) {
  const sdk = sdkProvider();
  const meter = createProviderMeter({ ...options, meterProvider: sdk.provider });
  return { ...sdk, meter };
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

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An error as the provider SDKs throw it: an HTTP status, or a network cause. */
export function httpError(status: number, message = `HTTP ${status}`): Error {
  return Object.assign(new Error(message), { status });
}

export function networkError(code = 'ECONNRESET'): Error {
  const cause = Object.assign(new Error('socket hang up'), { code });
  class APIConnectionError extends Error {
    override name = 'APIConnectionError';
  }
  return new APIConnectionError('Connection error.', { cause });
}

export const PROVIDER = ATTR_GEN_AI_PROVIDER_NAME;
export const OPERATION = ATTR_GEN_AI_OPERATION_NAME;
export const REQUEST_MODEL = ATTR_GEN_AI_REQUEST_MODEL;
export const RESPONSE_MODEL = ATTR_GEN_AI_RESPONSE_MODEL;
export const TOKEN_TYPE = ATTR_GEN_AI_TOKEN_TYPE;
export const ERROR_TYPE = ATTR_ERROR_TYPE;
export const SERVER_ADDRESS = ATTR_SERVER_ADDRESS;
export const SERVER_PORT = ATTR_SERVER_PORT;
export const CIRCUIT_STATE = ATTR_ML_CIRCUIT_BREAKER_STATE;

export const DURATION = 'gen_ai.client.operation.duration';
export const TOKENS = 'gen_ai.client.token.usage';
export const FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
export const PER_CHUNK = 'gen_ai.client.operation.time_per_output_chunk';
export const TOKEN_DETAIL = 'ml.gen_ai.token.detail';
export const IMAGES = 'ml.gen_ai.images';
export const AUDIO = 'ml.audio.duration';
export const VIDEO = 'ml.video.duration';
export const STATUS = 'ml.provider.status';
export const CIRCUIT = 'ml.provider.circuit_breaker.state';
