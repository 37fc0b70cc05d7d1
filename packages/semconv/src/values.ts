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
/** Allowed values of `gen_ai.token.type` (`input`/`output` per OTel; cached/reasoning are subsets, see docs). */
export const GEN_AI_TOKEN_TYPE_VALUES = ['input', 'output', 'cached_input', 'reasoning'] as const;
/** Allowed values of `ml.circuit_breaker.state`. */
export const ML_CIRCUIT_BREAKER_STATE_VALUES = ['closed', 'open', 'half_open'] as const;
/** Allowed values of `ml.drift.method`. */
export const ML_DRIFT_METHOD_VALUES = ['psi', 'js', 'hellinger', 'ks', 'wasserstein'] as const;
/** Allowed values of `ml.drift.kind`. */
export const ML_DRIFT_KIND_VALUES = ['distribution', 'confidence', 'performance'] as const;
/** Allowed values of `hw.gpu.task`. */
export const HW_GPU_TASK_VALUES = ['general', 'encoder', 'decoder'] as const;
/** Allowed values of `ml.budget.window`. */
export const ML_BUDGET_WINDOW_VALUES = ['hour', 'day', 'month'] as const;
/** The value that replaces an attribute value outside an allow-list. */
export const OTHER_VALUE = '_OTHER';
