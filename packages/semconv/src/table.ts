import { METRICS } from './catalog.js';
import { toPrometheusLabel } from './prometheus-name.js';
import type { MetricDefinition } from './types.js';

const FAMILY_TITLES: Readonly<Record<MetricDefinition['family'], string>> = {
  gen_ai: 'Provider API calls (OTel GenAI)',
  tasks: 'ML tasks and workers',
  pipeline: 'Inference pipelines',
  cost: 'Cost and budgets',
  quality: 'Model quality and drift',
  gpu: 'GPU (OTel hardware conventions)',
  host: 'Host and process (@opentelemetry/instrumentation-host-metrics, started by @mltel/node)',
  messaging: 'Task queues and brokers (OTel messaging conventions)',
  dependency: 'Dependency health and circuit breakers',
  http: 'HTTP server and client (contrib instrumentations, started by @mltel/node)',
  runtime: 'Node.js runtime (@opentelemetry/instrumentation-runtime-node, started by @mltel/node)',
  db: 'Database clients (pg: @opentelemetry/instrumentation-pg; mysql2: @mltel/node; started by the preload)',
};

function row(m: MetricDefinition): string {
  const attrs = m.attributes.map((a) => `\`${a}\``).join(', ');
  const labels = m.attributes.map((a) => toPrometheusLabel(a)).join(', ');
  const kind = m.optIn ? `${m.kind} (opt-in)` : m.kind;
  // Some upstream host metrics carry no unit at all; an empty code span would render as two backticks.
  const unit = m.unit === '' ? '(none)' : `\`${m.unit}\``;
  return `| \`${m.name}\` | ${kind} | ${unit} | ${attrs} | \`${m.prometheusName}\` | ${labels} | ${[m.owner, ...(m.alsoCreatedBy ?? [])].map((o) => `\`${o}\``).join(', ')} |`;
}

/** The catalog as a Markdown table per family (the generated part of `docs/metrics.md`). */
export function renderMetricsTable(metrics: readonly MetricDefinition[] = METRICS): string {
  const out: string[] = [];
  for (const family of Object.keys(FAMILY_TITLES) as MetricDefinition['family'][]) {
    const rows = metrics.filter((m) => m.family === family);
    if (rows.length === 0) continue;
    out.push(`### ${FAMILY_TITLES[family]}`, '');
    out.push('| metric | kind | unit | attributes | Prometheus name | Prometheus labels | owner |');
    out.push('|---|---|---|---|---|---|---|');
    for (const m of rows) out.push(row(m));
    out.push('');
  }
  return out.join('\n');
}
