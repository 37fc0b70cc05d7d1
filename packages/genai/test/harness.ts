// Shared harness of the @mltel/genai unit tests: a real MeterProvider with a manual reader,
// collection helpers, and a diag logger that captures warnings.
import type { Attributes } from '@opentelemetry/api';
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
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_BUCKETS,
} from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';
import type { HistogramPoint } from '@mltel/test-kit';
import { expect } from 'vitest';
import { createProviderMeter } from '../src/default-meter.js';
import type { ProviderMeterOptions } from '../src/types.js';

/** Sort key order: provider, operation, models, error type, token type, circuit state, then the rest. */
const ORDER = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_ML_CIRCUIT_BREAKER_STATE,
];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { TestReader, Collection, attributeKey, collect, captureDiag, sdkProvider } = sdkHarness(ORDER);
export type TestReader = InstanceType<typeof TestReader>;
export type Collection = InstanceType<typeof Collection>;

/** A real SDK provider and a provider meter bound to it. */
export function setup(options: Omit<ProviderMeterOptions, 'meterProvider'> = {}) {
  const sdk = sdkProvider();
  const meter = createProviderMeter({ ...options, meterProvider: sdk.provider });
  return { ...sdk, meter };
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

/** The duration and token-usage bucket boundaries, as a histogram point lists them. */
export const DURATION_BUCKETS = [...GEN_AI_DURATION_BUCKETS];
export const TOKEN_BUCKETS = [...GEN_AI_TOKEN_BUCKETS];

/** The sum of bucket counts. */
export const total = (counts: number[]): number => counts.reduce((a, b) => a + b, 0);

/** Bucket counts with 1 at `index` of `boundaries.length + 1` buckets. */
export function oneAt(boundaries: readonly number[], index: number): number[] {
  return new Array<number>(boundaries.length + 1).fill(0).map((_, i) => (i === index ? 1 : 0));
}

/** Asserts one measured-duration point: exact attributes and count, consistent buckets. */
export function expectMeasured(point: HistogramPoint | undefined, attributes: Attributes, count: number): void {
  expect(point).toBeDefined();
  expect(point!.attributes).toEqual(attributes);
  expect(point!.count).toBe(count);
  expect(point!.boundaries).toEqual(DURATION_BUCKETS);
  expect(total(point!.counts)).toBe(count);
  expect(point!.sum).toBeGreaterThanOrEqual(0);
  expect(point!.sum).toBeLessThan(5);
}

/** A token-usage point with one measurement of `value` in bucket `bucket`. */
export function tokenPoint(attributes: Attributes, value: number, bucket: number): HistogramPoint {
  return {
    attributes,
    count: 1,
    sum: value,
    min: value,
    max: value,
    boundaries: TOKEN_BUCKETS,
    counts: oneAt(TOKEN_BUCKETS, bucket),
  };
}
