// Dashboards as data, built with the Grafana Foundation SDK. A dashboard here is rows of panels,
// each with its PromQL; `build` turns it into the SDK's builders. The same data feeds the docs
// (docs/deployment/dashboards/) and the end-to-end test, which runs every expression on a real
// Prometheus.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** One query of a panel. */
export interface Query {
  expr: string;
  legend?: string;
}

/** One panel: what it answers (`description`), how it draws, and its queries. */
export interface Panel {
  title: string;
  description: string;
  kind: 'timeseries' | 'stat' | 'gauge' | 'table';
  unit: string;
  queries: Query[];
  /** Gauge/stat scale, e.g. 0..1 for ratios. */
  max?: number;
  /** Width in grid columns (24 in a row); default 8. */
  width?: number;
}

/** A label-values template variable. */
export interface Variable {
  name: string;
  label: string;
  /** `label_values(...)` query. */
  query: string;
}

/** A dashboard: rows of panels and its variables. */
export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  rows: { title: string; panels: Panel[] }[];
}

// Stats and gauges show the latest value, never an average over the time range.
const LAST = new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']);

// The datasource variable, a Grafana template (not a JS one).
const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '$' + '{datasource}' };

/** Filter every panel query puts on the series it reads. */
export const FILTER = 'job=~"$job",instance=~"$instance"';

/** The variables every dashboard has: job, service (from target_info), instance. */
export const BASE_VARIABLES: Variable[] = [
  { name: 'job', label: 'Job', query: 'label_values(target_info, job)' },
  { name: 'service', label: 'Service', query: 'label_values(target_info{job=~"$job"}, service_name)' },
  {
    name: 'instance',
    label: 'Instance',
    query: 'label_values(target_info{job=~"$job",service_name=~"$service"}, instance)',
  },
];

function variable(v: Variable): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(v.name)
    .label(v.label)
    .datasource(DATASOURCE)
    .query({ query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition(v.query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+')
    .current({ text: 'All', value: '$__all' });
}

function target(query: Query, index: number): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(query.expr)
    .refId(String.fromCharCode(65 + index));
  return query.legend === undefined ? builder : builder.legendFormat(query.legend);
}

function panel(spec: Panel): { build(): dashboard.Panel } {
  const targets = spec.queries.map(target);
  const width = spec.width ?? 8;
  if (spec.kind === 'stat') {
    const builder = new stat.PanelBuilder().title(spec.title).description(spec.description).unit(spec.unit);
    builder
      .targets(targets)
      .span(width)
      .height(5)
      .datasource(DATASOURCE)
      .graphMode(common.BigValueGraphMode.None)
      .reduceOptions(LAST);
    return spec.max === undefined ? builder : builder.max(spec.max).min(0);
  }
  if (spec.kind === 'gauge') {
    return new gauge.PanelBuilder()
      .title(spec.title)
      .description(spec.description)
      .unit(spec.unit)
      .targets(targets)
      .span(width)
      .height(6)
      .datasource(DATASOURCE)
      .reduceOptions(LAST)
      .min(0)
      .max(spec.max ?? 1);
  }
  if (spec.kind === 'table') {
    return new table.PanelBuilder()
      .title(spec.title)
      .description(spec.description)
      .unit(spec.unit)
      .targets(targets.map((t) => t.instant().format(prometheus.PromQueryFormat.Table)))
      .span(width)
      .height(8)
      .datasource(DATASOURCE);
  }
  return new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .targets(targets)
    .span(width)
    .height(8)
    .datasource(DATASOURCE)
    .min(0);
}

/** The dashboard JSON model of a spec (links to the other mltel dashboards by tag). */
export function build(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['mltel'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(
      new dashboard.DashboardLinkBuilder('mltel dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['mltel'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const v of [...BASE_VARIABLES, ...spec.variables]) builder.withVariable(variable(v));
  for (const row of spec.rows) {
    builder.withRow(new dashboard.RowBuilder(row.title));
    for (const p of row.panels) builder.withPanel(panel(p));
  }
  return builder.build();
}
