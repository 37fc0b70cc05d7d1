import {
  ATTR_ERROR_TYPE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_STAGE,
  ATTR_ML_TOKEN_KIND,
  ATTR_ML_WORKER_ID,
  ATTR_ML_WORKER_TYPE,
} from '../attributes.js';
import {
  BATCH_SIZE_BUCKETS,
  INFERENCE_DURATION_BUCKETS,
  SEQUENCE_LENGTH_BUCKETS,
  TASK_DURATION_BUCKETS,
} from '../buckets.js';
import type { MetricDefinition } from '../types.js';

const WORKER = [ATTR_ML_WORKER_ID, ATTR_ML_WORKER_TYPE] as const;

/** `ml.pipeline.duration`: end-to-end request latency through a pipeline. */
export const ML_PIPELINE_DURATION = {
  name: 'ml.pipeline.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'End-to-end latency of requests through an inference pipeline.',
  attributes: [ATTR_ML_PIPELINE_NAME, ATTR_ERROR_TYPE, ...WORKER],
  buckets: TASK_DURATION_BUCKETS,
  family: 'pipeline',
  owner: '@mltel/pipeline',
  prometheusName: 'ml_pipeline_duration_seconds',
} as const satisfies MetricDefinition;

/** `ml.pipeline.stage.duration`: latency of one stage of a pipeline. */
export const ML_PIPELINE_STAGE_DURATION = {
  name: 'ml.pipeline.stage.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Latency of one stage of an inference pipeline.',
  attributes: [ATTR_ML_PIPELINE_NAME, ATTR_ML_PIPELINE_STAGE, ...WORKER],
  buckets: INFERENCE_DURATION_BUCKETS,
  family: 'pipeline',
  owner: '@mltel/pipeline',
  prometheusName: 'ml_pipeline_stage_duration_seconds',
} as const satisfies MetricDefinition;

/** `ml.inference.duration`: model inference latency. */
export const ML_INFERENCE_DURATION = {
  name: 'ml.inference.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Model inference latency.',
  attributes: [ATTR_ML_MODEL_NAME, ATTR_ML_MODEL_VERSION, ATTR_ERROR_TYPE, ...WORKER],
  buckets: INFERENCE_DURATION_BUCKETS,
  family: 'pipeline',
  owner: '@mltel/pipeline',
  prometheusName: 'ml_inference_duration_seconds',
} as const satisfies MetricDefinition;

/** `ml.batch.size`: items per inference batch. */
export const ML_BATCH_SIZE = {
  name: 'ml.batch.size',
  kind: 'Histogram',
  unit: '{item}',
  description: 'Items per inference batch.',
  attributes: [ATTR_ML_MODEL_NAME, ...WORKER],
  buckets: BATCH_SIZE_BUCKETS,
  family: 'pipeline',
  owner: '@mltel/pipeline',
  prometheusName: 'ml_batch_size',
} as const satisfies MetricDefinition;

/** `ml.sequence.length`: tokens per sequence (max and mean come from the histogram). */
export const ML_SEQUENCE_LENGTH = {
  name: 'ml.sequence.length',
  kind: 'Histogram',
  unit: '{token}',
  description: 'Tokens per input sequence.',
  attributes: [ATTR_ML_MODEL_NAME, ...WORKER],
  buckets: SEQUENCE_LENGTH_BUCKETS,
  family: 'pipeline',
  owner: '@mltel/pipeline',
  prometheusName: 'ml_sequence_length',
} as const satisfies MetricDefinition;

/** `ml.batch.tokens`: real and padding tokens in batches (padding ratio is a PromQL ratio). */
export const ML_BATCH_TOKENS = {
  name: 'ml.batch.tokens',
  kind: 'Counter',
  unit: '{token}',
  description: 'Tokens in inference batches, real or padding.',
  attributes: [ATTR_ML_MODEL_NAME, ATTR_ML_TOKEN_KIND, ...WORKER],
  family: 'pipeline',
  owner: '@mltel/pipeline',
  prometheusName: 'ml_batch_tokens_total',
} as const satisfies MetricDefinition;

/** The inference-pipeline family. */
export const PIPELINE_METRICS = [
  ML_PIPELINE_DURATION,
  ML_PIPELINE_STAGE_DURATION,
  ML_INFERENCE_DURATION,
  ML_BATCH_SIZE,
  ML_SEQUENCE_LENGTH,
  ML_BATCH_TOKENS,
] as const;
