import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_ML_CIRCUIT_BREAKER_STATE,
  ATTR_ML_RATE_LIMIT_KIND,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '../attributes.js';
import {
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_FIRST_CHUNK_BUCKETS,
  GEN_AI_PER_CHUNK_BUCKETS,
  GEN_AI_TOKEN_BUCKETS,
} from '../buckets.js';
import type { MetricDefinition } from '../types.js';

const CALL_ATTRS = [
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
] as const;

/** `gen_ai.client.operation.duration`: provider call latency (OTel GenAI). */
export const GEN_AI_CLIENT_OPERATION_DURATION = {
  name: 'gen_ai.client.operation.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'GenAI operation duration.',
  attributes: [...CALL_ATTRS, ATTR_ERROR_TYPE],
  buckets: GEN_AI_DURATION_BUCKETS,
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'gen_ai_client_operation_duration_seconds',
} as const satisfies MetricDefinition;

/** `gen_ai.client.token.usage`: tokens per call, by token type (OTel GenAI). */
export const GEN_AI_CLIENT_TOKEN_USAGE = {
  name: 'gen_ai.client.token.usage',
  kind: 'Histogram',
  unit: '{token}',
  description: 'Number of input and output tokens used.',
  attributes: [...CALL_ATTRS, ATTR_GEN_AI_TOKEN_TYPE],
  buckets: GEN_AI_TOKEN_BUCKETS,
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'gen_ai_client_token_usage',
} as const satisfies MetricDefinition;

/** `gen_ai.client.operation.time_to_first_chunk`: streaming latency to the first chunk. */
export const GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK = {
  name: 'gen_ai.client.operation.time_to_first_chunk',
  kind: 'Histogram',
  unit: 's',
  description: 'Time to receive the first chunk of a streaming response.',
  attributes: CALL_ATTRS,
  buckets: GEN_AI_FIRST_CHUNK_BUCKETS,
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'gen_ai_client_operation_time_to_first_chunk_seconds',
} as const satisfies MetricDefinition;

/** `gen_ai.client.operation.time_per_output_chunk`: time between streamed chunks. */
export const GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK = {
  name: 'gen_ai.client.operation.time_per_output_chunk',
  kind: 'Histogram',
  unit: 's',
  description: 'Time between consecutive chunks of a streaming response.',
  attributes: CALL_ATTRS,
  buckets: GEN_AI_PER_CHUNK_BUCKETS,
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'gen_ai_client_operation_time_per_output_chunk_seconds',
} as const satisfies MetricDefinition;

/** `ml.provider.status`: 1 when a provider is healthy, 0 when it is not. */
export const ML_PROVIDER_STATUS = {
  name: 'ml.provider.status',
  kind: 'ObservableGauge',
  unit: '{status}',
  description: 'Provider health: 1 healthy, 0 unhealthy.',
  attributes: [ATTR_GEN_AI_PROVIDER_NAME],
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_provider_status',
} as const satisfies MetricDefinition;

/**
 * `ml.provider.circuit_breaker.state`: one series per state, 1 for the current state and 0 for
 * the others (the OTel `hw.status` enum pattern), so `== 1` selects the current state.
 */
export const ML_PROVIDER_CIRCUIT_BREAKER_STATE = {
  name: 'ml.provider.circuit_breaker.state',
  kind: 'ObservableGauge',
  unit: '{state}',
  description: 'Circuit-breaker state per provider: 1 for the current state, 0 for the others.',
  attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_ML_CIRCUIT_BREAKER_STATE],
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_provider_circuit_breaker_state',
} as const satisfies MetricDefinition;

/** `ml.audio.duration`: seconds of audio processed (speech, transcription). */
export const ML_AUDIO_DURATION = {
  name: 'ml.audio.duration',
  kind: 'Counter',
  unit: 's',
  description: 'Seconds of audio processed.',
  attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_OPERATION_NAME],
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_audio_duration_seconds_total',
} as const satisfies MetricDefinition;

/**
 * `ml.gen_ai.token.detail`: the parts of the token totals that are priced or watched apart
 * (cache reads, cache writes, reasoning). A separate instrument, so summing
 * `gen_ai.client.token.usage` over all token types never counts a token twice.
 */
export const ML_GEN_AI_TOKEN_DETAIL = {
  name: 'ml.gen_ai.token.detail',
  kind: 'Counter',
  unit: '{token}',
  description: 'Tokens by detail (cache_read, cache_creation: part of input; reasoning: part of output).',
  attributes: [...CALL_ATTRS, ATTR_GEN_AI_TOKEN_TYPE],
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_gen_ai_token_detail_total',
} as const satisfies MetricDefinition;

/** `ml.gen_ai.images`: images generated (operation `image_generation`). */
export const ML_GEN_AI_IMAGES = {
  name: 'ml.gen_ai.images',
  kind: 'Counter',
  unit: '{image}',
  description: 'Images generated by provider calls.',
  attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_OPERATION_NAME],
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_gen_ai_images_total',
} as const satisfies MetricDefinition;

/** `ml.video.duration`: seconds of video generated or processed. */
export const ML_VIDEO_DURATION = {
  name: 'ml.video.duration',
  kind: 'Counter',
  unit: 's',
  description: 'Seconds of video generated or processed.',
  attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_OPERATION_NAME],
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_video_duration_seconds_total',
} as const satisfies MetricDefinition;

/** `ml.gen_ai.characters`: characters of text sent for speech synthesis (a count, never the text). */
export const ML_GEN_AI_CHARACTERS = {
  name: 'ml.gen_ai.characters',
  kind: 'Counter',
  unit: '{character}',
  description: 'Characters of input text billed by provider calls (speech synthesis).',
  attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_OPERATION_NAME],
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_gen_ai_characters_total',
} as const satisfies MetricDefinition;

const RATE_LIMIT_ATTRS = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_ML_RATE_LIMIT_KIND] as const;

/**
 * `ml.provider.rate_limit.remaining`: requests or tokens left in the provider's current rate-limit
 * window, as its last response's headers reported (`x-ratelimit-remaining-*`,
 * `anthropic-ratelimit-*-remaining`), by provider, request model and `ml.rate_limit.kind`.
 */
export const ML_PROVIDER_RATE_LIMIT_REMAINING = {
  name: 'ml.provider.rate_limit.remaining',
  kind: 'ObservableGauge',
  unit: '{unit}',
  description: 'Requests or tokens left in the provider rate-limit window (from response headers).',
  attributes: RATE_LIMIT_ATTRS,
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_provider_rate_limit_remaining',
} as const satisfies MetricDefinition;

/** `ml.provider.rate_limit.limit`: the size of the provider's rate-limit window (response headers). */
export const ML_PROVIDER_RATE_LIMIT_LIMIT = {
  name: 'ml.provider.rate_limit.limit',
  kind: 'ObservableGauge',
  unit: '{unit}',
  description: 'Requests or tokens allowed per provider rate-limit window (from response headers).',
  attributes: RATE_LIMIT_ATTRS,
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_provider_rate_limit_limit',
} as const satisfies MetricDefinition;

/**
 * `ml.provider.rate_limit.reset_time`: when the provider's rate-limit window refills, as Unix time
 * in seconds (OpenAI's `x-ratelimit-reset-*` durations are added to the response time, Anthropic's
 * RFC 3339 times are taken as they are). `… - time()` is the wait.
 */
export const ML_PROVIDER_RATE_LIMIT_RESET_TIME = {
  name: 'ml.provider.rate_limit.reset_time',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Unix time at which the provider rate-limit window refills (from response headers).',
  attributes: RATE_LIMIT_ATTRS,
  family: 'gen_ai',
  owner: '@mltel/genai',
  prometheusName: 'ml_provider_rate_limit_reset_time_seconds',
} as const satisfies MetricDefinition;

/** The provider-call family. */
export const GEN_AI_METRICS = [
  GEN_AI_CLIENT_OPERATION_DURATION,
  GEN_AI_CLIENT_TOKEN_USAGE,
  GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK,
  ML_PROVIDER_STATUS,
  ML_PROVIDER_CIRCUIT_BREAKER_STATE,
  ML_AUDIO_DURATION,
  ML_GEN_AI_TOKEN_DETAIL,
  ML_GEN_AI_IMAGES,
  ML_VIDEO_DURATION,
  ML_GEN_AI_CHARACTERS,
  ML_PROVIDER_RATE_LIMIT_REMAINING,
  ML_PROVIDER_RATE_LIMIT_LIMIT,
  ML_PROVIDER_RATE_LIMIT_RESET_TIME,
] as const;
