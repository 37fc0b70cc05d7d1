// Attribute keys of the catalog. OTel semantic-convention keys are re-stated here (not imported)
// so that this package has no dependency at all; the tests check them against the spec text.

/** `error.type`: the class of error (exception name, HTTP status, `timeout`, `_OTHER`). */
export const ATTR_ERROR_TYPE = 'error.type';
/** `server.address`: host name of the called API. */
export const ATTR_SERVER_ADDRESS = 'server.address';
/** `server.port`: port of the called API. */
export const ATTR_SERVER_PORT = 'server.port';

/** `gen_ai.operation.name`: chat, embeddings, generate_content, or a custom operation. */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** `gen_ai.provider.name`: openai, anthropic, gcp.gemini, fal, ... */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** `gen_ai.request.model`: the model asked for. */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
/** `gen_ai.response.model`: the model that answered. */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
/** `gen_ai.token.type`: input or output (and mltel's cached/reasoning sub-kinds). */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';

/** `ml.task.name`: the task type (a function or queue task name, never an id). */
export const ATTR_ML_TASK_NAME = 'ml.task.name';
/** `ml.task.status`: outcome of a task, one of {@link ML_TASK_STATUS_VALUES}. */
export const ATTR_ML_TASK_STATUS = 'ml.task.status';
/** `ml.worker.type`: the kind of worker (llm, speech, cpu, gpu, ...). */
export const ATTR_ML_WORKER_TYPE = 'ml.worker.type';
/** `ml.worker.id`: worker slot in a bounded pool (`0`..`n-1`), never a pid or host name. */
export const ATTR_ML_WORKER_ID = 'ml.worker.id';
/** `ml.queue.name`: the queue a task waited in. */
export const ATTR_ML_QUEUE_NAME = 'ml.queue.name';

/** `ml.pipeline.name`: an inference pipeline. */
export const ATTR_ML_PIPELINE_NAME = 'ml.pipeline.name';
/** `ml.pipeline.stage`: a stage of a pipeline, see {@link ML_PIPELINE_STAGE_VALUES}. */
export const ATTR_ML_PIPELINE_STAGE = 'ml.pipeline.stage';
/** `ml.model.name`: the served model. */
export const ATTR_ML_MODEL_NAME = 'ml.model.name';
/** `ml.model.version`: the served model's version. */
export const ATTR_ML_MODEL_VERSION = 'ml.model.version';
/** `ml.token.kind`: real or padding tokens in a batch. */
export const ATTR_ML_TOKEN_KIND = 'ml.token.kind';

/** `ml.budget.name`: a named budget. */
export const ATTR_ML_BUDGET_NAME = 'ml.budget.name';
/** `ml.budget.window`: the budget's window (hour, day, month). */
export const ATTR_ML_BUDGET_WINDOW = 'ml.budget.window';
/** `ml.circuit_breaker.state`: closed, open or half_open. */
export const ATTR_ML_CIRCUIT_BREAKER_STATE = 'ml.circuit_breaker.state';
/** `ml.rate_limit.kind`: the provider rate limit a headroom gauge is about, see {@link ML_RATE_LIMIT_KIND_VALUES}. */
export const ATTR_ML_RATE_LIMIT_KIND = 'ml.rate_limit.kind';

/** `ml.prediction.class`: predicted class (bounded label set of the model). */
export const ATTR_ML_PREDICTION_CLASS = 'ml.prediction.class';
/** `ml.feature.name`: input feature a drift score is about. */
export const ATTR_ML_FEATURE_NAME = 'ml.feature.name';
/** `ml.drift.method`: psi, js, hellinger, ks, wasserstein. */
export const ATTR_ML_DRIFT_METHOD = 'ml.drift.method';
/** `ml.drift.kind`: distribution, confidence or performance drift. */
export const ATTR_ML_DRIFT_KIND = 'ml.drift.kind';
/** `ml.alert.severity`: info, warning, critical. */
export const ATTR_ML_ALERT_SEVERITY = 'ml.alert.severity';

/** `hw.id`: the GPU UUID (or MIG instance UUID). */
export const ATTR_HW_ID = 'hw.id';
/** `hw.name`: the device name as the driver reports it. */
export const ATTR_HW_NAME = 'hw.name';
/** `hw.model`: the product name. */
export const ATTR_HW_MODEL = 'hw.model';
/** `hw.vendor`: `nvidia`. */
export const ATTR_HW_VENDOR = 'hw.vendor';
/** `hw.driver_version`: the driver version. */
export const ATTR_HW_DRIVER_VERSION = 'hw.driver_version';
/** `hw.gpu.task`: general, encoder or decoder utilization. */
export const ATTR_HW_GPU_TASK = 'hw.gpu.task';
/** `hw.type`: the component type the OTel hardware conventions require on every `hw.*` metric (`gpu`). */
export const ATTR_HW_TYPE = 'hw.type';
/** `nvidia.gpu.clock.type`: graphics, sm, memory, video. */
export const ATTR_NVIDIA_GPU_CLOCK_TYPE = 'nvidia.gpu.clock.type';
/** `process.executable.name`: the process using GPU memory (opt-in metric only). */
export const ATTR_PROCESS_EXECUTABLE_NAME = 'process.executable.name';
