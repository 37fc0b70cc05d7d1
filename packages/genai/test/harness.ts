// Shared harness of the @mltel/genai unit tests: a real MeterProvider with a manual reader,
// collection helpers, and a diag logger that captures warnings.
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
import { sdkHarness } from '@mltel/test-kit';
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
