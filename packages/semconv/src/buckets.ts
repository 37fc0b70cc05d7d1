/**
 * Seconds-scale buckets for tasks and pipelines: 5 ms to 10 min, since ML tasks range from a
 * cached lookup to a long transcription (the SDK default buckets are for milliseconds).
 */
export const TASK_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
] as const;
/** Seconds-scale buckets for a single model inference or pipeline stage (1 ms to 30 s). */
export const INFERENCE_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;
/** `gen_ai.client.operation.duration` buckets from the OTel GenAI conventions. */
export const GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;
/** `gen_ai.client.token.usage` buckets from the OTel GenAI conventions. */
export const GEN_AI_TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;
/** Time-to-first-chunk buckets (the GenAI server time-to-first-token advice). */
export const GEN_AI_FIRST_CHUNK_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;
/** Time-per-output-chunk buckets (the GenAI server time-per-output-token advice). */
export const GEN_AI_PER_CHUNK_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5,
] as const;
/** Batch sizes: powers of two up to 1024. */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] as const;
/** Sequence lengths in tokens: powers of two up to 128k. */
export const SEQUENCE_LENGTH_BUCKETS = [
  16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
] as const;
/** Confidence in 0..1, in tenths with finer steps near 1. */
export const CONFIDENCE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1] as const;
/** Cost of one request in USD: a hundredth of a cent to 10 dollars. */
export const REQUEST_COST_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] as const;
