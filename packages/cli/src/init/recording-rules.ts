// The recording rules: the figures every dashboard and alert reads, precomputed per job and the
// data-point labels of the catalog (never a resource attribute, so the same rules work on the
// scrape path and the OTLP path). Names follow Prometheus' `level:metric:operations`.
import type { DeploymentParams } from './params.js';

/** One recording rule. */
export interface RecordingRule {
  record: string;
  expr: string;
}

/** A named group of rules. */
export interface RuleGroup<T> {
  name: string;
  rules: T[];
}

/** `metric{selector,extra}`: the parameter set's selector plus the rule's own matchers. */
export function sel(params: DeploymentParams, metric: string, extra = ''): string {
  return `${metric}{${[params.selector, extra].filter((m) => m !== '').join(',')}}`;
}

const QUANTILES = [
  ['p50', '0.5'],
  ['p95', '0.95'],
  ['p99', '0.99'],
] as const;

// histogram_quantile over a rate of buckets, one rule per quantile.
function percentiles(params: DeploymentParams, level: string, by: string, histogram: string): RecordingRule[] {
  return QUANTILES.map(([name, q]) => ({
    record: `${level}:${histogram}:${name}_rate5m`,
    expr: `histogram_quantile(${q}, sum by (${by}, le) (rate(${sel(params, `${histogram}_bucket`)}[5m])))`,
  }));
}

/** The recording rule groups of one parameter set. */
export function recordingRules(params: DeploymentParams): RuleGroup<RecordingRule>[] {
  const s = (metric: string, extra = ''): string => sel(params, metric, extra);
  const rate = (metric: string, by: string, extra = '', window = '5m'): string =>
    `sum by (${by}) (rate(${s(metric, extra)}[${window}]))`;
  return [
    {
      name: 'mltel-tasks.rules',
      rules: [
        {
          record: 'job_ml_task_name_ml_task_status:ml_tasks:rate5m',
          expr: rate('ml_tasks_total', 'job, ml_task_name, ml_task_status'),
        },
        {
          record: 'job_ml_task_name:ml_tasks_failed:ratio_rate5m',
          expr: `${rate('ml_tasks_total', 'job, ml_task_name', 'ml_task_status=~"error|timeout"')} / ${rate('ml_tasks_total', 'job, ml_task_name')}`,
        },
        { record: 'job_ml_worker_type:ml_tasks:rate5m', expr: rate('ml_tasks_total', 'job, ml_worker_type') },
        ...percentiles(params, 'job_ml_task_name', 'job, ml_task_name', 'ml_task_duration_seconds'),
        {
          record: 'job_ml_queue_name:ml_task_queue_duration_seconds:p95_rate5m',
          expr: `histogram_quantile(0.95, sum by (job, ml_queue_name, le) (rate(${s('ml_task_queue_duration_seconds_bucket')}[5m])))`,
        },
        { record: 'job_ml_queue_name:ml_queue_size:sum', expr: `sum by (job, ml_queue_name) (${s('ml_queue_size')})` },
        {
          record: 'job_ml_task_name:ml_tasks_active:sum',
          expr: `sum by (job, ml_task_name) (${s('ml_tasks_active')})`,
        },
      ],
    },
    {
      name: 'mltel-providers.rules',
      rules: [
        {
          record: 'job_gen_ai_provider_name_gen_ai_request_model:gen_ai_client_operation:rate5m',
          expr: rate(
            'gen_ai_client_operation_duration_seconds_count',
            'job, gen_ai_provider_name, gen_ai_request_model',
          ),
        },
        {
          record: 'job_gen_ai_provider_name:gen_ai_client_operation_errors:ratio_rate5m',
          expr: `(${rate('gen_ai_client_operation_duration_seconds_count', 'job, gen_ai_provider_name', 'error_type!=""')} or ${rate('gen_ai_client_operation_duration_seconds_count', 'job, gen_ai_provider_name')} * 0) / ${rate('gen_ai_client_operation_duration_seconds_count', 'job, gen_ai_provider_name')}`,
        },
        ...percentiles(
          params,
          'job_gen_ai_provider_name_gen_ai_request_model',
          'job, gen_ai_provider_name, gen_ai_request_model',
          'gen_ai_client_operation_duration_seconds',
        ),
        {
          record: 'job_gen_ai_provider_name_gen_ai_request_model_gen_ai_token_type:gen_ai_client_token_usage:rate5m',
          expr: rate(
            'gen_ai_client_token_usage_sum',
            'job, gen_ai_provider_name, gen_ai_request_model, gen_ai_token_type',
          ),
        },
        {
          record: 'job_gen_ai_provider_name_gen_ai_request_model:ml_audio_duration_seconds:rate5m',
          expr: rate('ml_audio_duration_seconds_total', 'job, gen_ai_provider_name, gen_ai_request_model'),
        },
        {
          record: 'job_gen_ai_provider_name:ml_provider_status:min',
          expr: `min by (job, gen_ai_provider_name) (${s('ml_provider_status')})`,
        },
      ],
    },
    {
      name: 'mltel-pipeline.rules',
      rules: [
        {
          record: 'job_ml_pipeline_name:ml_pipeline:rate5m',
          expr: rate('ml_pipeline_duration_seconds_count', 'job, ml_pipeline_name'),
        },
        {
          record: 'job_ml_pipeline_name:ml_pipeline_errors:ratio_rate5m',
          expr: `(${rate('ml_pipeline_duration_seconds_count', 'job, ml_pipeline_name', 'error_type!=""')} or ${rate('ml_pipeline_duration_seconds_count', 'job, ml_pipeline_name')} * 0) / ${rate('ml_pipeline_duration_seconds_count', 'job, ml_pipeline_name')}`,
        },
        ...percentiles(params, 'job_ml_pipeline_name', 'job, ml_pipeline_name', 'ml_pipeline_duration_seconds'),
        {
          record: 'job_ml_pipeline_name_ml_pipeline_stage:ml_pipeline_stage_duration_seconds:p95_rate5m',
          expr: `histogram_quantile(0.95, sum by (job, ml_pipeline_name, ml_pipeline_stage, le) (rate(${s('ml_pipeline_stage_duration_seconds_bucket')}[5m])))`,
        },
        {
          record: 'job_ml_pipeline_name_ml_pipeline_stage:ml_pipeline_stage_duration_seconds:share_rate5m',
          expr: `${rate('ml_pipeline_stage_duration_seconds_sum', 'job, ml_pipeline_name, ml_pipeline_stage')} / ignoring (ml_pipeline_stage) group_left ${rate('ml_pipeline_stage_duration_seconds_sum', 'job, ml_pipeline_name')}`,
        },
        {
          record: 'job_ml_worker_id:ml_pipeline:rate5m',
          expr: rate('ml_pipeline_duration_seconds_count', 'job, ml_worker_type, ml_worker_id'),
        },
        {
          record: 'job_ml_model_name:ml_inference_duration_seconds:p95_rate5m',
          expr: `histogram_quantile(0.95, sum by (job, ml_model_name, le) (rate(${s('ml_inference_duration_seconds_bucket')}[5m])))`,
        },
        {
          record: 'job_ml_model_name:ml_batch_size:avg_rate5m',
          expr: `${rate('ml_batch_size_sum', 'job, ml_model_name')} / ${rate('ml_batch_size_count', 'job, ml_model_name')}`,
        },
        {
          record: 'job_ml_model_name:ml_batch_tokens_padding:ratio_rate5m',
          expr: `${rate('ml_batch_tokens_total', 'job, ml_model_name', 'ml_token_kind="padding"')} / ${rate('ml_batch_tokens_total', 'job, ml_model_name')}`,
        },
      ],
    },
    {
      name: 'mltel-cost.rules',
      rules: [
        {
          record: 'job_gen_ai_provider_name_gen_ai_request_model:ml_cost_usd:per_hour',
          expr: `${rate('ml_cost_usd_total', 'job, gen_ai_provider_name, gen_ai_request_model', '', '1h')} * 3600`,
        },
        {
          record: 'job:ml_cost_usd:per_hour',
          expr: `${rate('ml_cost_usd_total', 'job', '', '1h')} * 3600`,
        },
        {
          record: 'job_ml_task_name:ml_cost_usd:per_hour',
          expr: `${rate('ml_cost_usd_total', 'job, ml_task_name', '', '1h')} * 3600`,
        },
        {
          record: 'job_gen_ai_provider_name_gen_ai_request_model:ml_cost_request_usd:avg_rate1h',
          expr: `${rate('ml_cost_request_usd_sum', 'job, gen_ai_provider_name, gen_ai_request_model', '', '1h')} / ${rate('ml_cost_request_usd_count', 'job, gen_ai_provider_name, gen_ai_request_model', '', '1h')}`,
        },
        {
          record: 'job_ml_budget_name_ml_budget_window:ml_budget:used_ratio',
          expr: `max by (job, ml_budget_name, ml_budget_window) (${s('ml_budget_spent_usd')}) / max by (job, ml_budget_name, ml_budget_window) (${s('ml_budget_limit_usd')} > 0)`,
        },
      ],
    },
    {
      name: 'mltel-quality.rules',
      rules: [
        {
          record: 'job_ml_model_name_ml_drift_method:ml_drift_score:max',
          expr: `max by (job, ml_model_name, ml_drift_method) (${s('ml_drift_score')})`,
        },
        {
          record: 'job_ml_model_name:ml_model_accuracy:min',
          expr: `min by (job, ml_model_name) (${s('ml_model_accuracy_ratio')})`,
        },
        {
          record: 'job_ml_model_name_ml_prediction_class:ml_predictions:rate5m',
          expr: rate('ml_predictions_total', 'job, ml_model_name, ml_prediction_class'),
        },
        {
          record: 'job_ml_model_name:ml_prediction_confidence:p50_rate5m',
          expr: `histogram_quantile(0.5, sum by (job, ml_model_name, le) (rate(${s('ml_prediction_confidence_bucket')}[5m])))`,
        },
      ],
    },
    {
      name: 'mltel-gpu.rules',
      rules: [
        {
          record: 'job_instance_hw_id:hw_gpu_utilization:avg5m',
          expr: `avg by (job, instance, hw_id, hw_name) (avg_over_time(${s('hw_gpu_utilization_ratio', 'hw_gpu_task="general"')}[5m]))`,
        },
        {
          record: 'job_instance_hw_id:hw_gpu_memory_utilization:max',
          expr: `max by (job, instance, hw_id, hw_name) (${s('hw_gpu_memory_utilization_ratio')})`,
        },
        {
          record: 'job_instance_hw_id:hw_power_watts:avg5m',
          expr: `avg by (job, instance, hw_id, hw_name) (avg_over_time(${s('hw_power_watts')}[5m]))`,
        },
      ],
    },
  ];
}
