// The mltel dashboards: what each panel answers and its PromQL. Queries read only data-point
// labels and job/instance, so they give the same answer on the scrape path (target_info holds the
// service) and on the OTLP path (resource attributes copied onto every series); the service
// variable narrows the instances through target_info, which both paths have.
import { FILTER } from './panels.ts';
import type { DashboardSpec, Panel, Query } from './panels.ts';

const f = (extra = ''): string => (extra === '' ? `{${FILTER}}` : `{${FILTER},${extra}}`);
const R = '[$__rate_interval]';
const rate = (metric: string, by: string, extra = ''): string => `sum by (${by}) (rate(${metric}${f(extra)}${R}))`;
const quantile = (q: number, histogram: string, by: string, extra = ''): string =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${histogram}_bucket${f(extra)}${R})))`;
const ts = (title: string, description: string, unit: string, queries: Query[], width?: number): Panel => ({
  title,
  description,
  kind: 'timeseries',
  unit,
  queries,
  ...(width === undefined ? {} : { width }),
});
const single = (
  kind: 'stat' | 'gauge' | 'table',
  title: string,
  description: string,
  unit: string,
  expr: string,
  extra: Partial<Panel> = {},
): Panel => ({ title, description, kind, unit, queries: [{ expr }], width: 6, ...extra });
const MODEL = 'gen_ai_request_model=~"$model",gen_ai_provider_name=~"$provider"';

/** LLM and other model-provider calls. */
const llm: DashboardSpec = {
  uid: 'mltel-llm',
  title: 'mltel / LLM and provider calls',
  description:
    'Calls to model providers (OTel GenAI metrics): rates, errors, latency, tokens, audio and images, provider health.',
  variables: [
    {
      name: 'provider',
      label: 'Provider',
      query: 'label_values(gen_ai_client_operation_duration_seconds_count{job=~"$job"}, gen_ai_provider_name)',
    },
    {
      name: 'model',
      label: 'Model',
      query:
        'label_values(gen_ai_client_operation_duration_seconds_count{job=~"$job",gen_ai_provider_name=~"$provider"}, gen_ai_request_model)',
    },
  ],
  rows: [
    {
      title: 'Calls',
      panels: [
        ts('Calls per second', 'How many provider calls are made, by provider, model and operation.', 'reqps', [
          {
            expr: rate(
              'gen_ai_client_operation_duration_seconds_count',
              'gen_ai_provider_name, gen_ai_request_model, gen_ai_operation_name',
              MODEL,
            ),
            legend: '{{gen_ai_provider_name}} {{gen_ai_request_model}} {{gen_ai_operation_name}}',
          },
        ]),
        ts('Error ratio', 'Share of calls that failed (error.type set), by provider.', 'percentunit', [
          {
            expr: `(${rate('gen_ai_client_operation_duration_seconds_count', 'gen_ai_provider_name', `${MODEL},error_type!=""`)} or ${rate('gen_ai_client_operation_duration_seconds_count', 'gen_ai_provider_name', MODEL)} * 0) / ${rate('gen_ai_client_operation_duration_seconds_count', 'gen_ai_provider_name', MODEL)}`,
            legend: '{{gen_ai_provider_name}}',
          },
        ]),
        ts(
          'Errors by type',
          'Failed calls per second by provider and error type (HTTP status or exception name).',
          'reqps',
          [
            {
              expr: rate(
                'gen_ai_client_operation_duration_seconds_count',
                'gen_ai_provider_name, error_type',
                `${MODEL},error_type!=""`,
              ),
              legend: '{{gen_ai_provider_name}} {{error_type}}',
            },
          ],
        ),
      ],
    },
    {
      title: 'Latency',
      panels: [
        ts(
          'Call latency p50 / p95',
          'Provider call duration percentiles by model.',
          's',
          [
            {
              expr: quantile(0.5, 'gen_ai_client_operation_duration_seconds', 'gen_ai_request_model', MODEL),
              legend: 'p50 {{gen_ai_request_model}}',
            },
            {
              expr: quantile(0.95, 'gen_ai_client_operation_duration_seconds', 'gen_ai_request_model', MODEL),
              legend: 'p95 {{gen_ai_request_model}}',
            },
          ],
          12,
        ),
        ts(
          'Time to first chunk p95',
          'For streamed calls: how long until the first chunk arrives.',
          's',
          [
            {
              expr: quantile(
                0.95,
                'gen_ai_client_operation_time_to_first_chunk_seconds',
                'gen_ai_request_model',
                MODEL,
              ),
              legend: '{{gen_ai_request_model}}',
            },
          ],
          12,
        ),
      ],
    },
    {
      title: 'Tokens and media',
      panels: [
        ts(
          'Tokens per second',
          'Billable input and output tokens by model (cache reads and writes are part of input).',
          'short',
          [
            {
              expr: rate('gen_ai_client_token_usage_sum', 'gen_ai_request_model, gen_ai_token_type', MODEL),
              legend: '{{gen_ai_request_model}} {{gen_ai_token_type}}',
            },
          ],
        ),
        ts('Cache-read share of input tokens', 'Share of input tokens served from the provider cache.', 'percentunit', [
          {
            expr: `${rate('ml_gen_ai_token_detail_total', 'gen_ai_request_model', `${MODEL},gen_ai_token_type="cache_read"`)} / ${rate('gen_ai_client_token_usage_sum', 'gen_ai_request_model', `${MODEL},gen_ai_token_type="input"`)}`,
            legend: '{{gen_ai_request_model}}',
          },
        ]),
        ts(
          'Audio seconds per second',
          'Audio processed (transcription, speech) by model: the transcription analytics of the teams.',
          'short',
          [
            {
              expr: rate('ml_audio_duration_seconds_total', 'gen_ai_request_model, gen_ai_operation_name', MODEL),
              legend: '{{gen_ai_request_model}} {{gen_ai_operation_name}}',
            },
          ],
        ),
        ts('Images per second', 'Images generated by model.', 'short', [
          { expr: rate('ml_gen_ai_images_total', 'gen_ai_request_model', MODEL), legend: '{{gen_ai_request_model}}' },
        ]),
        ts('Video seconds per second', 'Video generated, in seconds of video, by model.', 'short', [
          {
            expr: rate('ml_video_duration_seconds_total', 'gen_ai_request_model', MODEL),
            legend: '{{gen_ai_request_model}}',
          },
        ]),
      ],
    },
    {
      title: 'Provider health',
      panels: [
        ts(
          'Provider up (1) / down (0)',
          'ml.provider.status: 1 while the provider answers, 0 when it is down.',
          'short',
          [
            {
              expr: `min by (gen_ai_provider_name) (ml_provider_status${f('gen_ai_provider_name=~"$provider"')})`,
              legend: '{{gen_ai_provider_name}}',
            },
          ],
          12,
        ),
        ts(
          'Circuit breaker state',
          'The current circuit-breaker state per provider (one series per state, 1 for the current one).',
          'short',
          [
            {
              expr: `max by (gen_ai_provider_name, ml_circuit_breaker_state) (ml_provider_circuit_breaker_state${f('gen_ai_provider_name=~"$provider"')}) == 1`,
              legend: '{{gen_ai_provider_name}} {{ml_circuit_breaker_state}}',
            },
          ],
          12,
        ),
        ts(
          'Rate-limit headroom',
          'ml.provider.rate_limit.remaining / ml.provider.rate_limit.limit: the share of each provider rate limit left, by model and kind (requests, tokens, input or output tokens), as the latest response headers reported it. The MltelProviderRateLimitHeadroomLow alert fires when it stays under 10%.',
          'percentunit',
          [
            {
              expr: `min by (gen_ai_provider_name, gen_ai_request_model, ml_rate_limit_kind) (ml_provider_rate_limit_remaining${f(MODEL)} / ml_provider_rate_limit_limit${f(MODEL)})`,
              legend: '{{gen_ai_provider_name}} {{gen_ai_request_model}} {{ml_rate_limit_kind}}',
            },
          ],
          12,
        ),
        ts(
          'Rate limit: remaining and limit',
          'ml.provider.rate_limit.remaining and .limit: requests or tokens left in the current window and allowed per window, by provider, model and kind.',
          'short',
          [
            {
              expr: `min by (gen_ai_provider_name, gen_ai_request_model, ml_rate_limit_kind) (ml_provider_rate_limit_remaining${f(MODEL)})`,
              legend: 'remaining {{gen_ai_provider_name}} {{gen_ai_request_model}} {{ml_rate_limit_kind}}',
            },
            {
              expr: `max by (gen_ai_provider_name, gen_ai_request_model, ml_rate_limit_kind) (ml_provider_rate_limit_limit${f(MODEL)})`,
              legend: 'limit {{gen_ai_provider_name}} {{gen_ai_request_model}} {{ml_rate_limit_kind}}',
            },
          ],
          12,
        ),
      ],
    },
  ],
};

/** Cost and budgets. */
const cost: DashboardSpec = {
  uid: 'mltel-cost',
  title: 'mltel / Cost and budgets',
  description: 'Money spent on model providers, per hour, per task type and per request; budget gauges.',
  variables: [],
  rows: [
    {
      title: 'Spend',
      panels: [
        single(
          'stat',
          'Spent since process start',
          'Total USD the selected instances have spent (exact: integer pico-dollars).',
          'currencyUSD',
          `sum(ml_cost_usd_total${f()})`,
        ),
        single(
          'stat',
          'Spent in the time range',
          'USD spent in the dashboard time range (24h by picking "Last 24 hours").',
          'currencyUSD',
          `sum(increase(ml_cost_usd_total${f()}[$__range]))`,
        ),
        single(
          'stat',
          'Average cost per request',
          'Mean USD per priced call over the time range.',
          'currencyUSD',
          `sum(increase(ml_cost_request_usd_sum${f()}[$__range])) / sum(increase(ml_cost_request_usd_count${f()}[$__range]))`,
        ),
        single(
          'stat',
          'Unpriced calls in the time range',
          'Calls to models with no price: cost figures miss them.',
          'short',
          `sum(increase(ml_cost_unpriced_total${f()}[$__range])) or vector(0)`,
        ),
        ts(
          'Spend per hour by model',
          'USD per hour at the current rate, by provider and model.',
          'currencyUSD',
          [
            {
              expr: `${rate('ml_cost_usd_total', 'gen_ai_provider_name, gen_ai_request_model')} * 3600`,
              legend: '{{gen_ai_provider_name}} {{gen_ai_request_model}}',
            },
          ],
          12,
        ),
        ts(
          'Spend per hour by task type',
          'USD per hour at the current rate, by ML task.',
          'currencyUSD',
          [{ expr: `${rate('ml_cost_usd_total', 'ml_task_name')} * 3600`, legend: '{{ml_task_name}}' }],
          12,
        ),
        ts(
          'Cost per request p50 / p95',
          'Distribution of the cost of one call, by model.',
          'currencyUSD',
          [
            {
              expr: quantile(0.5, 'ml_cost_request_usd', 'gen_ai_request_model'),
              legend: 'p50 {{gen_ai_request_model}}',
            },
            {
              expr: quantile(0.95, 'ml_cost_request_usd', 'gen_ai_request_model'),
              legend: 'p95 {{gen_ai_request_model}}',
            },
          ],
          24,
        ),
      ],
    },
    {
      title: 'Budgets',
      panels: [
        single(
          'gauge',
          'Budget used',
          'Share of each budget spent in its current window (hour, day, month or rolling).',
          'percentunit',
          `max by (ml_budget_name, ml_budget_window) (ml_budget_spent_usd${f()}) / max by (ml_budget_name, ml_budget_window) (ml_budget_limit_usd${f()} > 0)`,
          { width: 12, max: 1 },
        ),
        single(
          'table',
          'Budget remaining',
          'USD left in each budget window.',
          'currencyUSD',
          `max by (ml_budget_name, ml_budget_window) (ml_budget_remaining_usd${f()})`,
          { width: 12 },
        ),
        ts(
          'Budget spent and limit',
          'Spend against the limit over time, per budget.',
          'currencyUSD',
          [
            { expr: `max by (ml_budget_name) (ml_budget_spent_usd${f()})`, legend: 'spent {{ml_budget_name}}' },
            { expr: `max by (ml_budget_name) (ml_budget_limit_usd${f()})`, legend: 'limit {{ml_budget_name}}' },
          ],
          12,
        ),
        ts(
          'Budget exceeded and refused calls',
          'Times a budget was exceeded, and calls a hard-stop budget refused, per second.',
          'short',
          [
            {
              expr: `${rate('ml_budget_exceeded_total', 'ml_budget_name')} or vector(0)`,
              legend: 'exceeded {{ml_budget_name}}',
            },
            {
              expr: `${rate('ml_budget_refused_total', 'ml_budget_name')} or vector(0)`,
              legend: 'refused {{ml_budget_name}}',
            },
          ],
          12,
        ),
      ],
    },
  ],
};

/** ML tasks and queues. */
const tasks: DashboardSpec = {
  uid: 'mltel-tasks',
  title: 'mltel / ML tasks and queues',
  description:
    'Queue workers and batch jobs: task rates, success, latency, errors, in-flight work, queue length and wait.',
  variables: [{ name: 'task', label: 'Task', query: 'label_values(ml_tasks_total{job=~"$job"}, ml_task_name)' }],
  rows: [
    {
      title: 'Totals',
      panels: [
        single(
          'stat',
          'Tasks run since process start',
          'Every task the selected instances finished, whatever the outcome.',
          'short',
          `sum(ml_tasks_total${f('ml_task_name=~"$task"')})`,
        ),
        single(
          'stat',
          'Success ratio since process start',
          'Share of finished tasks that succeeded.',
          'percentunit',
          `sum(ml_tasks_total${f('ml_task_name=~"$task",ml_task_status="success"')}) / sum(ml_tasks_total${f('ml_task_name=~"$task"')})`,
          { max: 1 },
        ),
        single(
          'table',
          'Tasks by name and status',
          'Totals since process start, by task and outcome.',
          'short',
          `sum by (ml_task_name, ml_task_status) (ml_tasks_total${f('ml_task_name=~"$task"')})`,
          { width: 12 },
        ),
      ],
    },
    {
      title: 'Rates and latency',
      panels: [
        ts(
          'Tasks per second by status',
          'Throughput by task and outcome (success, error, retry, timeout, cancelled).',
          'ops',
          [
            {
              expr: rate('ml_tasks_total', 'ml_task_name, ml_task_status', 'ml_task_name=~"$task"'),
              legend: '{{ml_task_name}} {{ml_task_status}}',
            },
          ],
        ),
        ts('Success ratio', 'Share of task runs that succeeded, by task.', 'percentunit', [
          {
            expr: `${rate('ml_tasks_total', 'ml_task_name', 'ml_task_name=~"$task",ml_task_status="success"')} / ${rate('ml_tasks_total', 'ml_task_name', 'ml_task_name=~"$task"')}`,
            legend: '{{ml_task_name}}',
          },
        ]),
        ts('Task duration p50 / p95 / p99', 'How long a task run takes, by task.', 's', [
          {
            expr: quantile(0.5, 'ml_task_duration_seconds', 'ml_task_name', 'ml_task_name=~"$task"'),
            legend: 'p50 {{ml_task_name}}',
          },
          {
            expr: quantile(0.95, 'ml_task_duration_seconds', 'ml_task_name', 'ml_task_name=~"$task"'),
            legend: 'p95 {{ml_task_name}}',
          },
          {
            expr: quantile(0.99, 'ml_task_duration_seconds', 'ml_task_name', 'ml_task_name=~"$task"'),
            legend: 'p99 {{ml_task_name}}',
          },
        ]),
        ts('Errors by type', 'Failed runs per second by task and error type (TimeoutError for timeouts).', 'ops', [
          {
            expr: rate('ml_task_errors_total', 'ml_task_name, error_type', 'ml_task_name=~"$task"'),
            legend: '{{ml_task_name}} {{error_type}}',
          },
        ]),
        ts('Tasks in flight', 'Tasks running now, by task.', 'short', [
          { expr: `sum by (ml_task_name) (ml_tasks_active${f('ml_task_name=~"$task"')})`, legend: '{{ml_task_name}}' },
        ]),
        ts('Throughput by worker type', 'Task runs per second by worker type (cpu, gpu, ...).', 'ops', [
          { expr: rate('ml_tasks_total', 'ml_worker_type'), legend: '{{ml_worker_type}}' },
        ]),
      ],
    },
    {
      title: 'Queues',
      panels: [
        ts(
          'Queue length',
          'Items waiting in each queue.',
          'short',
          [{ expr: `sum by (ml_queue_name) (ml_queue_size${f()})`, legend: '{{ml_queue_name}}' }],
          12,
        ),
        ts(
          'Queue wait p95',
          'How long tasks wait in a queue before a worker takes them.',
          's',
          [{ expr: quantile(0.95, 'ml_task_queue_duration_seconds', 'ml_queue_name'), legend: '{{ml_queue_name}}' }],
          12,
        ),
      ],
    },
  ],
};

/** Inference pipelines. */
const pipeline: DashboardSpec = {
  uid: 'mltel-pipeline',
  title: 'mltel / Inference pipeline',
  description:
    'Requests through tokenizer, queues, batcher and model: end-to-end latency, stage breakdown, batching, padding, per worker.',
  variables: [
    {
      name: 'pipeline',
      label: 'Pipeline',
      query: 'label_values(ml_pipeline_duration_seconds_count{job=~"$job"}, ml_pipeline_name)',
    },
    {
      name: 'model',
      label: 'Model',
      query: 'label_values(ml_inference_duration_seconds_count{job=~"$job"}, ml_model_name)',
    },
  ],
  rows: [
    {
      title: 'Requests',
      panels: [
        ts('Requests per second', 'Pipeline throughput (QPS) by pipeline.', 'reqps', [
          {
            expr: rate('ml_pipeline_duration_seconds_count', 'ml_pipeline_name', 'ml_pipeline_name=~"$pipeline"'),
            legend: '{{ml_pipeline_name}}',
          },
        ]),
        ts('End-to-end latency p50 / p95 / p99', 'Request latency through the whole pipeline.', 's', [
          {
            expr: quantile(0.5, 'ml_pipeline_duration_seconds', 'ml_pipeline_name', 'ml_pipeline_name=~"$pipeline"'),
            legend: 'p50 {{ml_pipeline_name}}',
          },
          {
            expr: quantile(0.95, 'ml_pipeline_duration_seconds', 'ml_pipeline_name', 'ml_pipeline_name=~"$pipeline"'),
            legend: 'p95 {{ml_pipeline_name}}',
          },
          {
            expr: quantile(0.99, 'ml_pipeline_duration_seconds', 'ml_pipeline_name', 'ml_pipeline_name=~"$pipeline"'),
            legend: 'p99 {{ml_pipeline_name}}',
          },
        ]),
        ts('Error ratio', 'Share of pipeline requests that failed.', 'percentunit', [
          {
            expr: `(${rate('ml_pipeline_duration_seconds_count', 'ml_pipeline_name', 'ml_pipeline_name=~"$pipeline",error_type!=""')} or ${rate('ml_pipeline_duration_seconds_count', 'ml_pipeline_name', 'ml_pipeline_name=~"$pipeline"')} * 0) / ${rate('ml_pipeline_duration_seconds_count', 'ml_pipeline_name', 'ml_pipeline_name=~"$pipeline"')}`,
            legend: '{{ml_pipeline_name}}',
          },
        ]),
      ],
    },
    {
      title: 'Stages',
      panels: [
        ts(
          'Stage latency p95',
          'Where a request spends its time: tokenize, queue waits, inference, IPC, (de)serialize, scheduler, overhead.',
          's',
          [
            {
              expr: quantile(
                0.95,
                'ml_pipeline_stage_duration_seconds',
                'ml_pipeline_stage',
                'ml_pipeline_name=~"$pipeline"',
              ),
              legend: '{{ml_pipeline_stage}}',
            },
          ],
          12,
        ),
        ts(
          'Stage share of request time',
          'Share of the summed stage time spent in each stage.',
          'percentunit',
          [
            {
              expr: `${rate('ml_pipeline_stage_duration_seconds_sum', 'ml_pipeline_stage', 'ml_pipeline_name=~"$pipeline"')} / ignoring (ml_pipeline_stage) group_left sum(rate(ml_pipeline_stage_duration_seconds_sum${f('ml_pipeline_name=~"$pipeline"')}${R}))`,
              legend: '{{ml_pipeline_stage}}',
            },
          ],
          12,
        ),
      ],
    },
    {
      title: 'Model, batching and workers',
      panels: [
        ts('Inference latency p95', 'Model forward-pass latency by model and version.', 's', [
          {
            expr: quantile(
              0.95,
              'ml_inference_duration_seconds',
              'ml_model_name, ml_model_version',
              'ml_model_name=~"$model"',
            ),
            legend: '{{ml_model_name}} {{ml_model_version}}',
          },
        ]),
        ts('Batch size (mean and p95)', 'Items per model batch.', 'short', [
          {
            expr: `${rate('ml_batch_size_sum', 'ml_model_name', 'ml_model_name=~"$model"')} / ${rate('ml_batch_size_count', 'ml_model_name', 'ml_model_name=~"$model"')}`,
            legend: 'mean {{ml_model_name}}',
          },
          {
            expr: quantile(0.95, 'ml_batch_size', 'ml_model_name', 'ml_model_name=~"$model"'),
            legend: 'p95 {{ml_model_name}}',
          },
        ]),
        ts('Sequence length p50 / p95', 'Tokens per sequence fed to the model.', 'short', [
          {
            expr: quantile(0.5, 'ml_sequence_length', 'ml_model_name', 'ml_model_name=~"$model"'),
            legend: 'p50 {{ml_model_name}}',
          },
          {
            expr: quantile(0.95, 'ml_sequence_length', 'ml_model_name', 'ml_model_name=~"$model"'),
            legend: 'p95 {{ml_model_name}}',
          },
        ]),
        ts('Padding ratio', 'Share of batch tokens that are padding: compute spent on nothing.', 'percentunit', [
          {
            expr: `${rate('ml_batch_tokens_total', 'ml_model_name', 'ml_model_name=~"$model",ml_token_kind="padding"')} / ${rate('ml_batch_tokens_total', 'ml_model_name', 'ml_model_name=~"$model"')}`,
            legend: '{{ml_model_name}}',
          },
        ]),
        ts('Requests per second per worker', 'Load on each worker of the pool.', 'reqps', [
          {
            expr: rate(
              'ml_pipeline_duration_seconds_count',
              'ml_worker_type, ml_worker_id',
              'ml_pipeline_name=~"$pipeline"',
            ),
            legend: '{{ml_worker_type}} {{ml_worker_id}}',
          },
        ]),
        ts('Inferences per second per worker', 'Model calls per second on each model worker.', 'ops', [
          {
            expr: rate('ml_inference_duration_seconds_count', 'ml_worker_id', 'ml_model_name=~"$model"'),
            legend: 'worker {{ml_worker_id}}',
          },
        ]),
      ],
    },
  ],
};

/** Model quality and drift. */
const quality: DashboardSpec = {
  uid: 'mltel-quality',
  title: 'mltel / Model quality and drift',
  description: 'Predictions, confidence, accuracy on late labels, and drift scores against the reference profile.',
  variables: [
    { name: 'model', label: 'Model', query: 'label_values(ml_predictions_total{job=~"$job"}, ml_model_name)' },
  ],
  rows: [
    {
      title: 'Predictions',
      panels: [
        ts('Predictions per second by class', 'What the model predicts, by class.', 'ops', [
          {
            expr: rate('ml_predictions_total', 'ml_model_name, ml_prediction_class', 'ml_model_name=~"$model"'),
            legend: '{{ml_model_name}} {{ml_prediction_class}}',
          },
        ]),
        ts(
          'Confidence p10 / p50',
          'Distribution of the confidence of predictions; a falling median is an early drift sign.',
          'percentunit',
          [
            {
              expr: quantile(0.1, 'ml_prediction_confidence', 'ml_model_name', 'ml_model_name=~"$model"'),
              legend: 'p10 {{ml_model_name}}',
            },
            {
              expr: quantile(0.5, 'ml_prediction_confidence', 'ml_model_name', 'ml_model_name=~"$model"'),
              legend: 'p50 {{ml_model_name}}',
            },
          ],
        ),
        single(
          'stat',
          'Predictions since process start',
          'Every prediction recorded, by model.',
          'short',
          `sum by (ml_model_name) (ml_predictions_total${f('ml_model_name=~"$model"')})`,
          { width: 8 },
        ),
      ],
    },
    {
      title: 'Accuracy and drift',
      panels: [
        single(
          'gauge',
          'Accuracy',
          'Accuracy over the window of labelled feedback (late labels).',
          'percentunit',
          `min by (ml_model_name) (ml_model_accuracy_ratio${f('ml_model_name=~"$model"')})`,
          { width: 8, max: 1 },
        ),
        ts(
          'Drift score by feature',
          'Drift of each feature against the reference profile, by method (psi, js, hellinger, ks, wasserstein).',
          'short',
          [
            {
              expr: `max by (ml_model_name, ml_feature_name, ml_drift_method) (ml_drift_score${f('ml_model_name=~"$model"')})`,
              legend: '{{ml_feature_name}} {{ml_drift_method}}',
            },
          ],
          16,
        ),
        single(
          'table',
          'Drift alerts since process start',
          'Drift alerts raised, by model, kind and severity.',
          'short',
          `sum by (ml_model_name, ml_drift_kind, ml_alert_severity) (ml_drift_alerts_total${f('ml_model_name=~"$model"')})`,
          { width: 24 },
        ),
      ],
    },
  ],
};

/** GPU, host and Node runtime. */
const runtime: DashboardSpec = {
  uid: 'mltel-runtime',
  title: 'mltel / GPU, host and Node runtime',
  description:
    'GPUs read from nvidia-smi (OTel hw.* conventions), the host and the Node process, and the health of the GPU collection itself.',
  variables: [],
  rows: [
    {
      title: 'GPU',
      panels: [
        ts('GPU utilisation', 'Share of time the GPU was busy (general task), per device.', 'percentunit', [
          {
            expr: `max by (instance, hw_id, hw_name) (hw_gpu_utilization_ratio${f('hw_gpu_task="general"')})`,
            legend: '{{instance}} {{hw_name}} {{hw_id}}',
          },
        ]),
        ts('GPU memory used', 'Memory in use and the total, per device.', 'bytes', [
          { expr: `max by (instance, hw_id) (hw_gpu_memory_usage_bytes${f()})`, legend: 'used {{hw_id}}' },
          { expr: `max by (instance, hw_id) (hw_gpu_memory_limit_bytes${f()})`, legend: 'total {{hw_id}}' },
        ]),
        ts('GPU memory utilisation', 'Share of GPU memory in use.', 'percentunit', [
          { expr: `max by (instance, hw_id) (hw_gpu_memory_utilization_ratio${f()})`, legend: '{{hw_id}}' },
        ]),
        ts('GPU power', 'Power draw and the power limit, per device.', 'watt', [
          { expr: `max by (instance, hw_id) (hw_power_watts${f()})`, legend: 'draw {{hw_id}}' },
          { expr: `max by (instance, hw_id) (nvidia_gpu_power_limit_watts${f()})`, legend: 'limit {{hw_id}}' },
        ]),
        ts('GPU temperature', 'Temperature per device.', 'celsius', [
          {
            expr: `max by (instance, hw_id) (hw_temperature_celsius${f('hw_id=~"GPU-.+|MIG-.+"')})`,
            legend: '{{hw_id}}',
          },
        ]),
        ts('GPU clocks', 'Clock frequencies (graphics, memory, SM...) per device.', 'hertz', [
          {
            expr: `max by (instance, hw_id, nvidia_gpu_clock_type) (nvidia_gpu_clock_frequency_hertz${f()})`,
            legend: '{{hw_id}} {{nvidia_gpu_clock_type}}',
          },
        ]),
      ],
    },
    {
      title: 'GPU collection (mltel itself)',
      panels: [
        ts(
          'nvidia-smi run time p95',
          'How long one GPU collection (an nvidia-smi run) takes.',
          's',
          [
            {
              expr: `histogram_quantile(0.95, sum by (instance, le) (rate(ml_gpu_collection_duration_seconds_bucket${f()}${R})))`,
              legend: '{{instance}}',
            },
          ],
          12,
        ),
        ts(
          'Collection failures and last exit code',
          'Failed GPU collections per second by error type, and the last nvidia-smi exit code (0 is good).',
          'short',
          [
            {
              expr: `sum by (instance, error_type) (rate(ml_gpu_collection_failures_total${f()}${R})) or vector(0)`,
              legend: 'failures {{instance}} {{error_type}}',
            },
            { expr: `max by (instance) (ml_gpu_collection_exit_code${f()})`, legend: 'exit code {{instance}}' },
          ],
          12,
        ),
      ],
    },
    {
      title: 'Host and Node process',
      panels: [
        ts('Process CPU', 'CPU seconds per second used by each service process (OTel host-metrics).', 'percentunit', [
          { expr: `sum by (instance) (rate(process_cpu_time_seconds_total${f()}${R}))`, legend: '{{instance}}' },
        ]),
        ts('Process memory', 'Resident memory of each service process (OTel host-metrics).', 'bytes', [
          { expr: `sum by (instance) (process_memory_usage${f()})`, legend: '{{instance}}' },
        ]),
        ts('Host CPU and memory utilisation', 'Host-wide CPU and memory use (OTel host-metrics).', 'percentunit', [
          { expr: `avg by (instance) (system_cpu_utilization${f()})`, legend: 'cpu {{instance}}' },
          {
            expr: `sum by (instance) (system_memory_utilization${f('system_memory_state="used"')})`,
            legend: 'memory {{instance}}',
          },
        ]),
        single(
          'table',
          'Services',
          'Who is reporting: service, version, runtime and host of each target (target_info).',
          'short',
          `max by (job, instance, service_name, service_version, process_runtime_version, host_name) (target_info${f()})`,
          { width: 24 },
        ),
      ],
    },
  ],
};

/** HTTP, database clients and the Node runtime: what a Node distribution gives every service. */
const service: DashboardSpec = {
  uid: 'mltel-service',
  title: 'mltel / HTTP, database and Node runtime',
  description:
    'HTTP server and client requests, database pools and queries, and the Node event loop, GC and heap, from the contrib instrumentations the mltel preload starts (docs/http-db-runtime.md).',
  variables: [],
  rows: [
    {
      title: 'HTTP server',
      panels: [
        ts(
          'Requests per second',
          'Requests served per second by route and status (http.server.request.duration).',
          'reqps',
          [
            {
              expr: rate('http_server_request_duration_seconds_count', 'http_route, http_response_status_code'),
              legend: '{{http_route}} {{http_response_status_code}}',
            },
          ],
        ),
        ts('Request p95', '95th percentile of the time to serve a request, by route.', 's', [
          { expr: quantile(0.95, 'http_server_request_duration_seconds', 'http_route'), legend: '{{http_route}}' },
        ]),
        ts('Server error ratio', 'Share of requests answered with a 5xx status.', 'percentunit', [
          {
            expr: `sum(rate(http_server_request_duration_seconds_count${f('http_response_status_code=~"5.."')}${R})) / sum(rate(http_server_request_duration_seconds_count${f()}${R}))`,
            legend: '5xx',
          },
        ]),
      ],
    },
    {
      title: 'HTTP client',
      panels: [
        ts('Outgoing requests per second', 'Requests sent per second by host (fetch, undici, node:http).', 'reqps', [
          {
            expr: rate('http_client_request_duration_seconds_count', 'server_address, http_response_status_code'),
            legend: '{{server_address}} {{http_response_status_code}}',
          },
        ]),
        ts('Outgoing request p95', '95th percentile of outgoing request time, by host.', 's', [
          {
            expr: quantile(0.95, 'http_client_request_duration_seconds', 'server_address'),
            legend: '{{server_address}}',
          },
        ]),
      ],
    },
    {
      title: 'Database pools and queries',
      panels: [
        ts(
          'Pool usage',
          'Connections in use over the pool limit, per pool: near 1, queries start to wait.',
          'percentunit',
          [
            {
              expr: `max by (instance, db_client_connection_pool_name) (db_client_connection_count${f('db_client_connection_state="used"')}) / max by (instance, db_client_connection_pool_name) (db_client_connection_max${f()})`,
              legend: '{{instance}} {{db_client_connection_pool_name}}',
            },
          ],
        ),
        ts(
          'Connections and waiting requests',
          'Connections used and idle, and requests waiting for one, per pool.',
          'short',
          [
            {
              expr: `sum by (db_client_connection_pool_name, db_client_connection_state) (db_client_connection_count${f()})`,
              legend: '{{db_client_connection_state}} {{db_client_connection_pool_name}}',
            },
            {
              expr: `sum by (db_client_connection_pool_name) (db_client_connection_pending_requests${f()})`,
              legend: 'waiting {{db_client_connection_pool_name}}',
            },
          ],
        ),
        ts('Queries per second', 'Database operations per second by system and operation.', 'ops', [
          {
            expr: rate('db_client_operation_duration_seconds_count', 'db_system_name, db_operation_name'),
            legend: '{{db_system_name}} {{db_operation_name}}',
          },
        ]),
        ts('Query p95', '95th percentile of database operation time, by system and operation.', 's', [
          {
            expr: quantile(0.95, 'db_client_operation_duration_seconds', 'db_system_name, db_operation_name'),
            legend: '{{db_system_name}} {{db_operation_name}}',
          },
        ]),
      ],
    },
    {
      title: 'Node runtime',
      panels: [
        ts('Event-loop delay p99', 'The 99th percentile of event-loop delay since the process started.', 's', [
          { expr: `max by (instance) (nodejs_eventloop_delay_p99_seconds${f()})`, legend: '{{instance}}' },
        ]),
        ts('Event-loop utilisation', 'Share of time the event loop was busy.', 'percentunit', [
          { expr: `max by (instance) (nodejs_eventloop_utilization_ratio${f()})`, legend: '{{instance}}' },
        ]),
        ts('GC pause per second', 'Seconds per second spent in garbage collection, by kind.', 'percentunit', [
          {
            expr: rate('v8js_gc_duration_seconds_sum', 'instance, v8js_gc_type'),
            legend: '{{instance}} {{v8js_gc_type}}',
          },
        ]),
        ts('Heap used', 'V8 heap in use, all spaces together.', 'bytes', [
          { expr: `sum by (instance) (v8js_memory_heap_used_bytes${f()})`, legend: '{{instance}}' },
        ]),
      ],
    },
  ],
};

/** The overview: one look at everything, with links to the other dashboards. */
const overview: DashboardSpec = {
  uid: 'mltel-overview',
  title: 'mltel / Overview',
  description:
    'Worker health, task success, provider calls, spend, pipeline latency, drift and GPU at a glance; the links above open the detailed dashboards.',
  variables: [],
  rows: [
    {
      title: 'Health',
      panels: [
        single(
          'stat',
          'Targets up',
          'Targets answering scrapes.',
          'short',
          `sum(up{job=~"$job",instance=~"$instance"})`,
        ),
        single(
          'stat',
          'Tasks run since process start',
          'Every task finished by the selected instances.',
          'short',
          `sum(ml_tasks_total${f()})`,
        ),
        single(
          'stat',
          'Task success ratio since process start',
          'Share of finished tasks that succeeded.',
          'percentunit',
          `sum(ml_tasks_total${f('ml_task_status="success"')}) / sum(ml_tasks_total${f()})`,
          { max: 1 },
        ),
        single(
          'stat',
          'Spent since process start',
          'Total USD spent on model providers.',
          'currencyUSD',
          `sum(ml_cost_usd_total${f()})`,
        ),
      ],
    },
    {
      title: 'Activity',
      panels: [
        ts('Tasks per second', 'Task throughput by outcome.', 'ops', [
          { expr: rate('ml_tasks_total', 'ml_task_status'), legend: '{{ml_task_status}}' },
        ]),
        ts('Provider calls per second', 'Model-provider calls by provider.', 'reqps', [
          {
            expr: rate('gen_ai_client_operation_duration_seconds_count', 'gen_ai_provider_name'),
            legend: '{{gen_ai_provider_name}}',
          },
        ]),
        ts('Spend per hour', 'USD per hour at the current rate.', 'currencyUSD', [
          { expr: `sum(rate(ml_cost_usd_total${f()}${R})) * 3600`, legend: 'USD/h' },
        ]),
        ts('Pipeline p95', 'End-to-end inference latency, 95th percentile.', 's', [
          { expr: quantile(0.95, 'ml_pipeline_duration_seconds', 'ml_pipeline_name'), legend: '{{ml_pipeline_name}}' },
        ]),
        ts('Worst drift score per model', 'The highest drift score of each model, by method.', 'short', [
          {
            expr: `max by (ml_model_name, ml_drift_method) (ml_drift_score${f()})`,
            legend: '{{ml_model_name}} {{ml_drift_method}}',
          },
        ]),
        ts('GPU utilisation', 'Busy share of each GPU.', 'percentunit', [
          {
            expr: `max by (instance, hw_id) (hw_gpu_utilization_ratio${f('hw_gpu_task="general"')})`,
            legend: '{{hw_id}}',
          },
        ]),
      ],
    },
  ],
};

/** Every dashboard, in the order the overview lists them. */
export const DASHBOARDS: readonly DashboardSpec[] = [overview, llm, cost, tasks, pipeline, quality, runtime, service];
