/** Allowed values of `ml.task.status`. */
export const ML_TASK_STATUS_VALUES = ['success', 'error', 'retry', 'timeout', 'cancelled'] as const;
/** One `ml.task.status` value. */
export type MlTaskStatus = (typeof ML_TASK_STATUS_VALUES)[number];

/** Allowed values of `ml.pipeline.stage`. */
export const ML_PIPELINE_STAGE_VALUES = [
  'tokenize',
  'tokenizer_queue',
  'model_queue',
  'inference',
  'ipc_send',
  'ipc_receive',
  'serialize',
  'deserialize',
  'scheduler',
  'overhead',
] as const;

/** Allowed values of `ml.token.kind`. */
export const ML_TOKEN_KIND_VALUES = ['real', 'padding'] as const;
/** Values of `gen_ai.token.type` on `gen_ai.client.token.usage` (OTel): totals, cached and reasoning included. */
export const GEN_AI_TOKEN_TYPE_VALUES = ['input', 'output'] as const;
/**
 * Values of `gen_ai.token.type` on `ml.gen_ai.token.detail`: parts of the totals above (cache reads
 * and writes are part of `input`, reasoning is part of `output`), so no sum counts a token twice.
 */
export const ML_GEN_AI_TOKEN_DETAIL_VALUES = ['cache_read', 'cache_creation', 'reasoning'] as const;
/**
 * `gen_ai.operation.name` values: the OTel well-known ones, then mltel's for calls that are not
 * text generation (they record their own units: images, audio and video seconds).
 */
export const GEN_AI_OPERATION_NAME_VALUES = [
  'chat',
  'text_completion',
  'generate_content',
  'embeddings',
  'create_agent',
  'invoke_agent',
  'execute_tool',
  'image_generation',
  'image_edit',
  'image_variation',
  'video_generation',
  'speech',
  'transcription',
  'translation',
  'moderation',
] as const;
/**
 * Values of `ml.rate_limit.kind`: the provider limits read from response headers (requests and
 * tokens per window; Anthropic also limits input and output tokens apart).
 */
export const ML_RATE_LIMIT_KIND_VALUES = ['requests', 'tokens', 'input_tokens', 'output_tokens'] as const;
/** Allowed values of `ml.circuit_breaker.state`. */
export const ML_CIRCUIT_BREAKER_STATE_VALUES = ['closed', 'open', 'half_open'] as const;
/** Allowed values of `ml.drift.method`. */
export const ML_DRIFT_METHOD_VALUES = ['psi', 'js', 'hellinger', 'ks', 'wasserstein'] as const;
/** Allowed values of `ml.drift.kind`. */
export const ML_DRIFT_KIND_VALUES = ['distribution', 'confidence', 'performance'] as const;
/** Allowed values of `hw.gpu.task`. */
export const HW_GPU_TASK_VALUES = ['general', 'encoder', 'decoder'] as const;
/** Allowed values of `ml.budget.window`. */
export const ML_BUDGET_WINDOW_VALUES = ['hour', 'day', 'month', 'rolling'] as const;
/** The value that replaces an attribute value outside an allow-list. */
export const OTHER_VALUE = '_OTHER';
