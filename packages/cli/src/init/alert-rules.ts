// The alert rules, in the style of the monitoring mixins: CamelCase names with the `Mltel`
// prefix, a `for`, a severity, a summary, a description and a runbook link. Each alert is its
// measured value and the condition on it, so the end-to-end test can check that the value returns
// data on a real Prometheus even while the alert (rightly) does not fire; and each carries a
// firing and a quiet case that `promtool test rules` runs.
import type { DeploymentParams } from './params.js';
import { sel } from './recording-rules.js';

/** Input series of one promtool case: `series` in PromQL selector form, `values` in promtool notation. */
export interface CaseSeries {
  series: string;
  values: string;
}

/** One alert of the generated rules. */
export interface AlertDefinition {
  alert: string;
  /** The measured figure (returns data whenever the service reports the metric). */
  value: string;
  /** What is appended to `value` to make the alert expression, e.g. `> 0.05`. */
  condition: string;
  for: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  description: string;
  /** Input that makes it fire at 30m (with `labels`: the alert's labels besides alertname and severity). */
  firing: { series: CaseSeries[]; labels: Record<string, string> };
  /** Input that keeps it quiet at 30m. */
  quiet: CaseSeries[];
}

/** The alert expression: the value and its condition. */
export function alertExpr(alert: AlertDefinition): string {
  return `${alert.value} ${alert.condition}`;
}

/** The equality matchers of a selector as labels, or undefined when it has other matchers. */
export function selectorLabels(selector: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const part of selector.split(',')) {
    const match = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(part);
    if (!match) return undefined;
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, '$1');
  }
  return labels;
}

// A series name with the selector's labels (or job="mltel" where the selector is not plain
// equality) plus its own.
function series(params: DeploymentParams, metric: string, labels: Record<string, string>): string {
  const all = { ...(selectorLabels(params.selector) ?? { job: 'mltel' }), instance: 'svc:9464', ...labels };
  return `${metric}{${Object.entries(all)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

// Formats a number for a promtool values string (no exponent).
function num(value: number): string {
  return Number(value.toFixed(6)).toString();
}

/** The alerts of one parameter set. */
export function alertRules(params: DeploymentParams): AlertDefinition[] {
  const s = (metric: string, extra = ''): string => sel(params, metric, extra);
  const job = (selectorLabels(params.selector) ?? { job: 'mltel' }).job ?? '';
  const at = (metric: string, labels: Record<string, string>, values: string): CaseSeries => ({
    series: series(params, metric, labels),
    values,
  });
  const histogram = (metric: string, labels: Record<string, string>, le: number): CaseSeries[] => [
    at(`${metric}_bucket`, { ...labels, le: String(le) }, '0+60x40'),
    at(`${metric}_bucket`, { ...labels, le: '+Inf' }, '0+60x40'),
  ];
  const task = { ml_task_name: 'summarize', ml_worker_type: 'cpu' };
  const provider = {
    gen_ai_provider_name: 'openai',
    gen_ai_request_model: 'gpt-4o-mini',
    gen_ai_operation_name: 'chat',
  };
  const budget = { ml_budget_name: 'llm-hourly', ml_budget_window: 'hour' };
  const rateLimit = {
    gen_ai_provider_name: 'openai',
    gen_ai_request_model: 'gpt-4o-mini',
    ml_rate_limit_kind: 'tokens',
  };
  const gpu = { hw_id: 'GPU-0', hw_name: 'NVIDIA L40S' };
  const pool = { db_client_connection_pool_name: 'db:5432/app' };
  const pct = (ratio: number): string => `${num(ratio * 100)}%`;
  const latency = (
    name: string,
    metric: string,
    labels: Record<string, string>,
    by: Record<string, string>,
    record: string,
    target: number,
    what: string,
  ): AlertDefinition => ({
    alert: name,
    value: record,
    condition: `> ${num(target)}`,
    for: '10m',
    severity: 'warning',
    summary: `${what} p95 latency is over its ${num(target)} s target.`,
    description: `The 95th percentile of ${what.toLowerCase()} latency ${Object.keys(by)
      .map((k) => `{{ $labels.${k} }}`)
      .join(' ')} in job {{ $labels.job }} has been over ${num(target)} s for 10 minutes.`,
    firing: { series: histogram(metric, labels, target * 2), labels: { job, ...by } },
    quiet: histogram(metric, labels, target / 2),
  });

  return [
    {
      alert: 'MltelTaskErrorRatioHigh',
      value: 'job_ml_task_name:ml_tasks_failed:ratio_rate5m',
      condition: `> ${num(params.errorRatio)}`,
      for: '10m',
      severity: 'warning',
      summary: `More than ${pct(params.errorRatio)} of ML task runs fail.`,
      description: `Task {{ $labels.ml_task_name }} in job {{ $labels.job }} has failed (error or timeout) in more than ${pct(params.errorRatio)} of its runs for 10 minutes.`,
      firing: {
        series: [at('ml_tasks_total', { ...task, ml_task_status: 'error' }, '0+60x40')],
        labels: { job, ml_task_name: 'summarize' },
      },
      quiet: [
        at('ml_tasks_total', { ...task, ml_task_status: 'success' }, '0+60x40'),
        at('ml_tasks_total', { ...task, ml_task_status: 'error' }, '0x40'),
      ],
    },
    {
      alert: 'MltelProviderErrorRatioHigh',
      value: 'job_gen_ai_provider_name:gen_ai_client_operation_errors:ratio_rate5m',
      condition: `> ${num(params.errorRatio)}`,
      for: '10m',
      severity: 'warning',
      summary: `More than ${pct(params.errorRatio)} of model-provider calls fail.`,
      description: `Calls to {{ $labels.gen_ai_provider_name }} from job {{ $labels.job }} have failed in more than ${pct(params.errorRatio)} of cases for 10 minutes.`,
      firing: {
        series: [
          at('gen_ai_client_operation_duration_seconds_count', { ...provider, error_type: '500' }, '0+60x40'),
          at('gen_ai_client_operation_duration_seconds_count', provider, '0x40'),
        ],
        labels: { job, gen_ai_provider_name: 'openai' },
      },
      quiet: [
        at('gen_ai_client_operation_duration_seconds_count', provider, '0+60x40'),
        at('gen_ai_client_operation_duration_seconds_count', { ...provider, error_type: '500' }, '0x40'),
      ],
    },
    {
      alert: 'MltelProviderDown',
      value: 'job_gen_ai_provider_name:ml_provider_status:min',
      condition: '== 0',
      for: '2m',
      severity: 'critical',
      summary: 'A model provider is reported down.',
      description:
        'Job {{ $labels.job }} has reported provider {{ $labels.gen_ai_provider_name }} as down (ml_provider_status 0) for 2 minutes.',
      firing: {
        series: [at('ml_provider_status', { gen_ai_provider_name: 'openai' }, '0x40')],
        labels: { job, gen_ai_provider_name: 'openai' },
      },
      quiet: [at('ml_provider_status', { gen_ai_provider_name: 'openai' }, '1x40')],
    },
    {
      alert: 'MltelCircuitBreakerOpen',
      value: `max by (job, gen_ai_provider_name) (${s('ml_provider_circuit_breaker_state', 'ml_circuit_breaker_state="open"')})`,
      condition: '== 1',
      for: '1m',
      severity: 'warning',
      summary: "A provider's circuit breaker is open: calls to it are being refused.",
      description:
        'The circuit breaker of {{ $labels.gen_ai_provider_name }} in job {{ $labels.job }} has been open for a minute; calls fail fast until it half-opens.',
      firing: {
        series: [
          at(
            'ml_provider_circuit_breaker_state',
            { gen_ai_provider_name: 'anthropic', ml_circuit_breaker_state: 'open' },
            '1x40',
          ),
        ],
        labels: { job, gen_ai_provider_name: 'anthropic' },
      },
      quiet: [
        at(
          'ml_provider_circuit_breaker_state',
          { gen_ai_provider_name: 'anthropic', ml_circuit_breaker_state: 'open' },
          '0x40',
        ),
        at(
          'ml_provider_circuit_breaker_state',
          { gen_ai_provider_name: 'anthropic', ml_circuit_breaker_state: 'closed' },
          '1x40',
        ),
      ],
    },
    latency(
      'MltelTaskLatencyHigh',
      'ml_task_duration_seconds',
      { ...task, ml_task_status: 'success' },
      { ml_task_name: 'summarize' },
      'job_ml_task_name:ml_task_duration_seconds:p95_rate5m',
      params.taskP95Seconds,
      'Task',
    ),
    latency(
      'MltelProviderLatencyHigh',
      'gen_ai_client_operation_duration_seconds',
      provider,
      { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o-mini' },
      'job_gen_ai_provider_name_gen_ai_request_model:gen_ai_client_operation_duration_seconds:p95_rate5m',
      params.providerP95Seconds,
      'Provider call',
    ),
    latency(
      'MltelPipelineLatencyHigh',
      'ml_pipeline_duration_seconds',
      { ml_pipeline_name: 'rerank', ml_worker_id: '0', ml_worker_type: 'model' },
      { ml_pipeline_name: 'rerank' },
      'job_ml_pipeline_name:ml_pipeline_duration_seconds:p95_rate5m',
      params.pipelineP95Seconds,
      'Pipeline request',
    ),
    {
      alert: 'MltelHourlyCostHigh',
      value: 'job:ml_cost_usd:per_hour',
      condition: `> ${num(params.hourlyCostUsd)}`,
      for: '15m',
      severity: 'warning',
      summary: `Model spend is over ${num(params.hourlyCostUsd)} USD per hour.`,
      description: `Job {{ $labels.job }} has been spending more than ${num(params.hourlyCostUsd)} USD per hour (over the last hour) for 15 minutes.`,
      firing: {
        series: [
          at(
            'ml_cost_usd_total',
            { ...provider, ml_task_name: 'summarize' },
            `0+${num((params.hourlyCostUsd * 8) / 60)}x40`,
          ),
        ],
        labels: { job },
      },
      quiet: [
        at(
          'ml_cost_usd_total',
          { ...provider, ml_task_name: 'summarize' },
          `0+${num(params.hourlyCostUsd / 4 / 60)}x40`,
        ),
      ],
    },
    {
      alert: 'MltelBudgetNearlyExhausted',
      value: 'job_ml_budget_name_ml_budget_window:ml_budget:used_ratio',
      condition: `>= ${num(params.budgetNearlyRatio)} < 1`,
      for: '1m',
      severity: 'warning',
      summary: `A budget is more than ${pct(params.budgetNearlyRatio)} spent.`,
      description: `Budget {{ $labels.ml_budget_name }} ({{ $labels.ml_budget_window }}) in job {{ $labels.job }} has used more than ${pct(params.budgetNearlyRatio)} of its limit in the current window.`,
      firing: {
        series: [
          at('ml_budget_limit_usd', budget, '100x40'),
          at('ml_budget_spent_usd', budget, `${num(((params.budgetNearlyRatio + 1) / 2) * 100)}x40`),
        ],
        labels: { job, ...budget },
      },
      quiet: [
        at('ml_budget_limit_usd', budget, '100x40'),
        at('ml_budget_spent_usd', budget, `${num((params.budgetNearlyRatio / 2) * 100)}x40`),
      ],
    },
    {
      alert: 'MltelBudgetExhausted',
      value: 'job_ml_budget_name_ml_budget_window:ml_budget:used_ratio',
      condition: '>= 1',
      for: '1m',
      severity: 'critical',
      summary: 'A budget is spent: calls it guards may be refused.',
      description:
        'Budget {{ $labels.ml_budget_name }} ({{ $labels.ml_budget_window }}) in job {{ $labels.job }} has reached its limit; hard-stop budgets refuse calls until the window rolls over.',
      firing: {
        series: [at('ml_budget_limit_usd', budget, '100x40'), at('ml_budget_spent_usd', budget, '100x40')],
        labels: { job, ...budget },
      },
      quiet: [at('ml_budget_limit_usd', budget, '100x40'), at('ml_budget_spent_usd', budget, '50x40')],
    },
    ...(['warning', 'critical'] as const).map(
      (severity): AlertDefinition => ({
        alert: severity === 'warning' ? 'MltelDriftWarning' : 'MltelDriftCritical',
        value: `sum by (job, ml_model_name, ml_drift_kind) (increase(${s('ml_drift_alerts_total', `ml_alert_severity="${severity}"`)}[15m]))`,
        condition: '> 0',
        for: '1m',
        severity,
        summary: `A model's inputs or outputs drifted past the ${severity} level.`,
        description: `Model {{ $labels.ml_model_name }} in job {{ $labels.job }} raised ${severity} {{ $labels.ml_drift_kind }} drift alerts in the last 15 minutes.`,
        firing: {
          series: [
            at(
              'ml_drift_alerts_total',
              { ml_model_name: 'intent', ml_drift_kind: 'data', ml_alert_severity: severity },
              '0+1x40',
            ),
          ],
          labels: { job, ml_model_name: 'intent', ml_drift_kind: 'data' },
        },
        quiet: [
          at(
            'ml_drift_alerts_total',
            { ml_model_name: 'intent', ml_drift_kind: 'data', ml_alert_severity: severity },
            '3x40',
          ),
        ],
      }),
    ),
    {
      alert: 'MltelAccuracyLow',
      value: 'job_ml_model_name:ml_model_accuracy:min',
      condition: `< ${num(params.minAccuracy)}`,
      for: '15m',
      severity: 'warning',
      summary: `A model's accuracy on labelled feedback is under ${pct(params.minAccuracy)}.`,
      description: `Model {{ $labels.ml_model_name }} in job {{ $labels.job }} has scored under ${pct(params.minAccuracy)} on its window of late labels for 15 minutes.`,
      firing: {
        series: [at('ml_model_accuracy_ratio', { ml_model_name: 'intent' }, `${num(params.minAccuracy / 2)}x40`)],
        labels: { job, ml_model_name: 'intent' },
      },
      quiet: [at('ml_model_accuracy_ratio', { ml_model_name: 'intent' }, `${num((params.minAccuracy + 1) / 2)}x40`)],
    },
    {
      alert: 'MltelGpuHot',
      value: `max by (job, instance, hw_id, hw_name) (${s('hw_temperature_celsius', 'hw_id=~"GPU-.+|MIG-.+"')})`,
      condition: `> ${num(params.gpuTemperatureCelsius)}`,
      for: '5m',
      severity: 'warning',
      summary: `A GPU is hotter than ${num(params.gpuTemperatureCelsius)} °C.`,
      description: `GPU {{ $labels.hw_name }} ({{ $labels.hw_id }}) on {{ $labels.instance }} has been over ${num(params.gpuTemperatureCelsius)} °C for 5 minutes; it will throttle.`,
      firing: {
        series: [at('hw_temperature_celsius', gpu, `${num(params.gpuTemperatureCelsius + 5)}x40`)],
        labels: { job, instance: 'svc:9464', ...gpu },
      },
      quiet: [at('hw_temperature_celsius', gpu, `${num(params.gpuTemperatureCelsius - 20)}x40`)],
    },
    {
      alert: 'MltelGpuMemoryNearlyFull',
      value: 'job_instance_hw_id:hw_gpu_memory_utilization:max',
      condition: `> ${num(params.gpuMemoryRatio)}`,
      for: '10m',
      severity: 'warning',
      summary: `A GPU's memory is more than ${pct(params.gpuMemoryRatio)} used.`,
      description: `GPU {{ $labels.hw_name }} ({{ $labels.hw_id }}) on {{ $labels.instance }} has used more than ${pct(params.gpuMemoryRatio)} of its memory for 10 minutes; the next large batch may fail to allocate.`,
      firing: {
        series: [at('hw_gpu_memory_utilization_ratio', gpu, `${num((params.gpuMemoryRatio + 1) / 2)}x40`)],
        labels: { job, instance: 'svc:9464', ...gpu },
      },
      quiet: [at('hw_gpu_memory_utilization_ratio', gpu, `${num(params.gpuMemoryRatio / 2)}x40`)],
    },
    {
      alert: 'MltelQueueBackingUp',
      value: 'job_ml_queue_name:ml_queue_size:sum',
      condition: `> ${num(params.queueSize)} and deriv(job_ml_queue_name:ml_queue_size:sum[10m]) > 0`,
      for: '10m',
      severity: 'warning',
      summary: `A queue holds more than ${num(params.queueSize)} items and keeps growing.`,
      description: `Queue {{ $labels.ml_queue_name }} in job {{ $labels.job }} has held more than ${num(params.queueSize)} items, and grown, for 10 minutes: the workers do not keep up.`,
      firing: {
        series: [at('ml_queue_size', { ml_queue_name: 'jobs' }, `${num(params.queueSize)}+10x40`)],
        labels: { job, ml_queue_name: 'jobs' },
      },
      quiet: [at('ml_queue_size', { ml_queue_name: 'jobs' }, `${num(params.queueSize * 2)}-1x40`)],
    },
    {
      alert: 'MltelDbPoolNearlyExhausted',
      // used / limit per pool (db.client.connection.* of @opentelemetry/instrumentation-pg): one
      // ratio, so the line is the same for a pool of 10 and one of 100.
      value: `max by (job, instance, db_client_connection_pool_name) (${s('db_client_connection_count', 'db_client_connection_state="used"')}) / max by (job, instance, db_client_connection_pool_name) (${s('db_client_connection_max')})`,
      condition: `> ${num(params.dbPoolRatio)}`,
      for: '5m',
      severity: 'warning',
      summary: `A database connection pool is more than ${pct(params.dbPoolRatio)} used.`,
      description: `Pool {{ $labels.db_client_connection_pool_name }} on {{ $labels.instance }} (job {{ $labels.job }}) has had more than ${pct(params.dbPoolRatio)} of its connections in use for 5 minutes; queries will soon wait for a connection.`,
      firing: {
        series: [
          at('db_client_connection_count', { ...pool, db_client_connection_state: 'used' }, '10x40'),
          at('db_client_connection_max', pool, '10x40'),
        ],
        labels: { job, instance: 'svc:9464', ...pool },
      },
      quiet: [
        at('db_client_connection_count', { ...pool, db_client_connection_state: 'used' }, '2x40'),
        at('db_client_connection_count', { ...pool, db_client_connection_state: 'idle' }, '8x40'),
        at('db_client_connection_max', pool, '10x40'),
      ],
    },
    {
      alert: 'MltelWorkersMissing',
      value: `sum by (job) (${s('up')})`,
      condition: `== 0 or absent(${s('up')})`,
      for: '5m',
      severity: 'critical',
      summary: 'No worker of the job answers scrapes.',
      description:
        'Every target of job {{ $labels.job }} has been down (or gone from discovery) for 5 minutes: no task is being processed or measured.',
      firing: { series: [at('up', {}, '0x40')], labels: { job } },
      quiet: [at('up', {}, '1x40'), at('up', { instance: 'svc2:9464' }, '0x40')],
    },
    {
      alert: 'MltelTargetDown',
      value: s('up'),
      condition: '== 0',
      for: '5m',
      severity: 'warning',
      summary: 'A worker does not answer scrapes.',
      description:
        'Target {{ $labels.instance }} of job {{ $labels.job }} has failed its scrapes for 5 minutes: it is down, or its /metrics endpoint is not reachable.',
      firing: { series: [at('up', {}, '0x40')], labels: { job, instance: 'svc:9464' } },
      quiet: [at('up', {}, '1x40')],
    },
    {
      alert: 'MltelGpuCollectionFailing',
      value: `sum by (job, instance, error_type) (increase(${s('ml_gpu_collection_failures_total')}[10m]))`,
      condition: '> 0',
      for: '10m',
      severity: 'warning',
      summary: "mltel's GPU plugin cannot read nvidia-smi.",
      description:
        'The GPU plugin on {{ $labels.instance }} (job {{ $labels.job }}) failed to collect with {{ $labels.error_type }} over the last 10 minutes: the GPU panels are stale or empty. Run `mltel gpu` on that host.',
      firing: {
        series: [at('ml_gpu_collection_failures_total', { error_type: 'timeout' }, '0+1x40')],
        labels: { job, instance: 'svc:9464', error_type: 'timeout' },
      },
      quiet: [at('ml_gpu_collection_failures_total', { error_type: 'timeout' }, '2x40')],
    },
    {
      alert: 'MltelProviderRateLimitHeadroomLow',
      // remaining / limit per provider, model and limit kind, from the response headers. A reading
      // whose window has already reset (its reset time passed with no call since) is old news and
      // left out; a limit with no reset header (Mistral's) is kept.
      value: `min by (job, gen_ai_provider_name, gen_ai_request_model, ml_rate_limit_kind) (${s('ml_provider_rate_limit_remaining')} / ${s('ml_provider_rate_limit_limit')} unless on (job, instance, gen_ai_provider_name, gen_ai_request_model, ml_rate_limit_kind) (${s('ml_provider_rate_limit_reset_time_seconds')} < time()))`,
      condition: `< ${num(params.rateLimitHeadroomRatio)}`,
      for: '10m',
      severity: 'warning',
      summary: `A provider rate limit has less than ${pct(params.rateLimitHeadroomRatio)} headroom left.`,
      description: `{{ $labels.gen_ai_provider_name }} {{ $labels.gen_ai_request_model }} has had less than ${pct(params.rateLimitHeadroomRatio)} of its {{ $labels.ml_rate_limit_kind }} limit left for 10 minutes (job {{ $labels.job }}); calls will soon get 429s. Slow down, spread the load over models or keys, or ask the provider for a higher limit.`,
      firing: {
        series: [
          at('ml_provider_rate_limit_remaining', rateLimit, '400x40'),
          at('ml_provider_rate_limit_limit', rateLimit, '10000x40'),
          at('ml_provider_rate_limit_reset_time_seconds', rateLimit, '100000x40'),
        ],
        labels: { job, ...rateLimit },
      },
      quiet: [
        at('ml_provider_rate_limit_remaining', rateLimit, '5000x40'),
        at('ml_provider_rate_limit_limit', rateLimit, '10000x40'),
        // Low, but from a window that reset long ago.
        at('ml_provider_rate_limit_remaining', { ...rateLimit, ml_rate_limit_kind: 'requests' }, '1x40'),
        at('ml_provider_rate_limit_limit', { ...rateLimit, ml_rate_limit_kind: 'requests' }, '10000x40'),
        at('ml_provider_rate_limit_reset_time_seconds', { ...rateLimit, ml_rate_limit_kind: 'requests' }, '60x40'),
      ],
    },
    {
      alert: 'MltelCostUnpriced',
      value: `sum by (job, gen_ai_provider_name, gen_ai_request_model) (increase(${s('ml_cost_unpriced_total')}[1h]))`,
      condition: '> 0',
      for: '15m',
      severity: 'info',
      summary: 'Calls to a model with no known price: the cost figures are too low.',
      description:
        'Job {{ $labels.job }} called {{ $labels.gen_ai_provider_name }} {{ $labels.gen_ai_request_model }}, which has no price in its price table, in the last hour; add the price so cost and budgets count it.',
      firing: {
        series: [
          at('ml_cost_unpriced_total', { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-9' }, '0+1x40'),
        ],
        labels: { job, gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-9' },
      },
      quiet: [at('ml_cost_unpriced_total', { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-9' }, '5x40')],
    },
  ];
}
